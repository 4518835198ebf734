package store_test

import (
	"context"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestHouseholdUpdateAuditsHiddenChanges: a phone changed in its middle
// digits looks the same masked, so the audit event says it changed; an
// unchanged phone is not flagged.
func TestHouseholdUpdateAuditsHiddenChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	uid := testutil.User(t, st, "office", auth.Staff, "", 0)
	id := testutil.Household(t, st, "430681107231", "张三")
	h, version, err := st.HouseholdRecord(ctx, auth.Scope{}, id)
	if err != nil {
		t.Fatal(err)
	}
	h.Phone = "13907301234"
	if err := st.UpdateHousehold(ctx, auth.Scope{}, id, version, h, uid); err != nil {
		t.Fatal(err)
	}
	h.Phone = "13911111234" // same first 3 and last 4
	if err := st.UpdateHousehold(ctx, auth.Scope{}, id, version+1, h, uid); err != nil {
		t.Fatal(err)
	}
	h.Remark = "改备注"
	if err := st.UpdateHousehold(ctx, auth.Scope{}, id, version+2, h, uid); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Pool.Query(ctx, `SELECT coalesce((after->>'phone_changed')::bool, false), before->>'phone' = after->>'phone'
		FROM audit_events WHERE action = 'household.update' AND entity_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	var got [][2]bool
	for rows.Next() {
		var changed, sameMask bool
		if err := rows.Scan(&changed, &sameMask); err != nil {
			t.Fatal(err)
		}
		got = append(got, [2]bool{changed, sameMask})
	}
	want := [][2]bool{{true, false}, {true, true}, {false, true}}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("(phone_changed, same masked phone) per update = %v, want %v", got, want)
	}
}
