package meeting

// NewMemStore gives the contract suite (storetest, run by memstore_contract_test.go in package meeting_test)
// the in-memory Store the domain tests use, so that the fake is held to what the real stores do.
func NewMemStore() Store { return newMemStore() }
