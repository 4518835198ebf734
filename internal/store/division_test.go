package store_test

import (
	"context"
	"testing"

	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/testutil"
)

func TestImportDivisionsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStore(t)
	divs, err := division.Load(division.DefaultCounty)
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.ImportDivisions(ctx, divs)
	if err != nil || n != 202 {
		t.Fatalf("first import = %d, %v; want 202 rows (1+16+185)", n, err)
	}
	n, err = st.ImportDivisions(ctx, divs)
	if err != nil || n != 0 {
		t.Fatalf("second import = %d, %v; want 0 changes", n, err)
	}
	kids, err := st.Children(ctx, "430681107")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, k := range kids {
		found = found || (k.Code == "430681107231" && k.Name == "玉池村")
	}
	if !found {
		t.Fatalf("玉池村 not among the children of 弼时镇: %v", kids)
	}
}
