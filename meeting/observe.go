package meeting

// Failures counts failures by where they happened and their kind; package metrics implements it. The
// counting reuses the Handling table (a failure's level and retryability are its kind's), so what the logs,
// the queue and the metrics say about one error always agrees.
type Failures interface {
	// Failure records one failure of kind k in where (an inbound route or "queue").
	Failure(where string, k Kind)
}

// noFailures counts nothing: the default when no metrics are wired.
type noFailures struct{}

func (noFailures) Failure(string, Kind) {}

var _ Failures = noFailures{}
