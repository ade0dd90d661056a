// Package exitcode defines netdiag's documented process exit codes and the
// error values that carry them from a command's Action up to main, which is
// the only place that exits.
//
//	0  success
//	1  a negative result: host down, address invalid, no open port, a check failed
//	2  usage or system error: bad flags or arguments, missing permission, port in use
package exitcode

import (
	"errors"
	"fmt"
)

// The documented exit codes.
const (
	// OK means the command ran and the answer is positive.
	OK = 0
	// Negative means the command ran but the answer is negative (host down,
	// invalid address, no open ports, a failed check).
	Negative = 1
	// Failure means a usage error (bad flag, bad argument) or a system error
	// (no permission, port in use, I/O error).
	Failure = 2
)

// Error carries an exit code with an optional message. A nil Err means the
// command already printed everything the user needs (e.g. "host down" is
// visible in the summary) and main prints nothing more.
type Error struct {
	Code int
	Err  error
}

// Error returns the wrapped message, or a generic one when there is none.
func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

// ExitCode lets urfave/cli's ExitCoder machinery read the code too.
func (e *Error) ExitCode() int { return e.Code }

// Silent reports whether main should print nothing for this error.
func (e *Error) Silent() bool { return e.Err == nil }

// NegativeResult returns an error that makes netdiag exit 1 without printing
// anything further; use it when the output already shows the negative result.
func NegativeResult() error { return &Error{Code: Negative} }

// Negativef returns an exit-1 error whose message main prints to stderr.
func Negativef(format string, args ...any) error {
	return &Error{Code: Negative, Err: fmt.Errorf(format, args...)}
}

// Usage wraps err as a usage error (exit 2).
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: Failure, Err: err}
}

// UsageHint wraps err as a usage error (exit 2) whose message ends with a
// second line pointing at the help of command ("netdiag ip").
func UsageHint(err error, command string) error {
	return Usage(fmt.Errorf("%w\nRun '%s --help' for usage.", err, command))
}

// Usagef returns a usage error (exit 2) with a formatted message.
func Usagef(format string, args ...any) error {
	return &Error{Code: Failure, Err: fmt.Errorf(format, args...)}
}

// OptionError is an invalid Options value handed to an engine's Run (ping,
// trace, scan): the caller's mistake, which the CLI reports as a usage
// error.
type OptionError struct{ Msg string }

// Error returns the message.
func (e *OptionError) Error() string { return e.Msg }

// Optionf returns an *OptionError with a formatted message.
func Optionf(format string, args ...any) error {
	return &OptionError{Msg: fmt.Sprintf(format, args...)}
}

// Code maps any error to an exit code: nil is OK, an *Error carries its own
// code, and everything else is a system error (2).
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Failure
}

// IsSilent reports whether err is an *Error with nothing to print.
func IsSilent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Silent()
}
