//go:build !unix

package ping

// statsSignal returns no statistics requests: there is no SIGQUIT here.
func statsSignal() (<-chan struct{}, func()) { return nil, func() {} }
