package store

// SetExportBatch makes ExportHouseholds read n households per query until
// the returned function restores the size (tests of the batching).
func SetExportBatch(n int) (restore func()) {
	old := exportBatch
	exportBatch = n
	return func() { exportBatch = old }
}
