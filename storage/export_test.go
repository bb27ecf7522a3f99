package storage

// Key builders for the external tests that check them against a real cluster.
var (
	BatchKeyForTest     = batchKey
	PagesDoneKeyForTest = pagesDoneKey
	HashSlotForTest     = hashSlot
)
