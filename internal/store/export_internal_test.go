package store

import "testing"

// SetExportBatch makes ExportHouseholds read n households per query until
// the returned function restores the size (tests of the batching).
func SetExportBatch(n int) (restore func()) {
	old := exportBatch
	exportBatch = n
	return func() { exportBatch = old }
}

// TestSetExportBatchRestores: the batch size a test sets is put back, so
// the tests that run after it read with the real size.
func TestSetExportBatchRestores(t *testing.T) {
	was := exportBatch
	restore := SetExportBatch(3)
	if exportBatch != 3 {
		t.Fatalf("exportBatch = %d after SetExportBatch(3)", exportBatch)
	}
	restore()
	if exportBatch != was {
		t.Fatalf("exportBatch = %d after restore, want %d", exportBatch, was)
	}
}
