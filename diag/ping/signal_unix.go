//go:build unix

package ping

import (
	"os"
	"os/signal"
	"syscall"
)

// statsSignal turns SIGQUIT (Ctrl-\) into statistics requests, as iputils
// ping does, until stop is called.
func statsSignal() (<-chan struct{}, func()) {
	sig := make(chan os.Signal, 1)
	req := make(chan struct{}, 1)
	done := make(chan struct{})
	exited := make(chan struct{})
	signal.Notify(sig, syscall.SIGQUIT)
	go func() {
		defer close(exited)
		for {
			select {
			case <-sig:
				select {
				case req <- struct{}{}:
				default: // one request is already waiting
				}
			case <-done:
				return
			}
		}
	}()
	return req, func() {
		signal.Stop(sig)
		close(done)
		<-exited
	}
}
