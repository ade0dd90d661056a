package check

import (
	"cmp"
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"netdiag/diag/render"
)

// resendInterval is how long a DNS query waits for its answer before it is
// sent again (UDP loses datagrams; the C library waits 5 s, too long here).
const resendInterval = time.Second

// rcodeNames are the response codes in the words of dig and RFC 1035.
var rcodeNames = map[dnsmessage.RCode]string{
	dnsmessage.RCodeSuccess: "NOERROR", dnsmessage.RCodeFormatError: "FORMERR",
	dnsmessage.RCodeServerFailure: "SERVFAIL", dnsmessage.RCodeNameError: "NXDOMAIN",
	dnsmessage.RCodeNotImplemented: "NOTIMP", dnsmessage.RCodeRefused: "REFUSED",
}

// rcodeName names a response code.
func rcodeName(rc dnsmessage.RCode) string {
	if s, ok := rcodeNames[rc]; ok {
		return s
	}
	return "RCODE" + strconv.Itoa(int(rc))
}

// Dialer opens a connection, as net.Dialer's DialContext does.
type Dialer func(ctx context.Context, network, address string) (net.Conn, error)

// QueryResolver asks server, over a UDP socket from dial, for the A and AAAA
// records of name (taken as fully qualified) with recursion desired, both
// queries at once, and waits for both answers until ctx is done, sending
// unanswered queries again every second. It talks to the resolver directly:
// no hosts file, no search domains, and the real response code. The result
// says what came back: Status OK when an address came in both answers, else
// the Problem ("timeout", "port_closed", "nxdomain"…). It is the DNS step's
// probe, and "netdiag exporter"'s.
func QueryResolver(ctx context.Context, dial Dialer, server netip.AddrPort, name string) *ResolverResult {
	r := &ResolverResult{Server: server, Addrs: []netip.Addr{}}
	fqdn, err := dnsmessage.NewName(strings.TrimSuffix(name, ".") + ".")
	if err != nil {
		r.Status, r.Problem, r.Error = Fail, SystemError, err.Error()
		return r
	}
	conn, err := dial(ctx, "udp", server.String())
	if err != nil {
		r.Problem, r.Error = dnsErrorProblem(err), errorText(err)
		judgeResolver(r, 0, 2)
		return r
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	pending := map[uint16]pendingQuery{}
	for _, typ := range []dnsmessage.Type{dnsmessage.TypeA, dnsmessage.TypeAAAA} {
		id := uint16(rand.Uint32())
		for pending[id].packet != nil {
			id++
		}
		msg := dnsmessage.Message{
			Header:    dnsmessage.Header{ID: id, RecursionDesired: true},
			Questions: []dnsmessage.Question{{Name: fqdn, Type: typ, Class: dnsmessage.ClassINET}},
		}
		b, err := msg.Pack()
		if err != nil {
			r.Status, r.Problem, r.Error = Fail, SystemError, err.Error()
			return r
		}
		pending[id] = pendingQuery{b, typ}
	}
	start := time.Now()
	buf := make([]byte, 4096)
	answered := 0
	for len(pending) > 0 && ctx.Err() == nil {
		for _, q := range pending {
			if _, err := conn.Write(q.packet); err != nil {
				r.Problem, r.Error = dnsErrorProblem(err), errorText(err)
				break
			}
		}
		if r.Problem != "" {
			break
		}
		wait := time.Now().Add(resendInterval)
		if d, ok := ctx.Deadline(); ok && d.Before(wait) {
			wait = d
		}
		conn.SetReadDeadline(wait)
		for len(pending) > 0 {
			n, err := conn.Read(buf)
			if err != nil {
				if !isTimeout(err) {
					r.Problem, r.Error = dnsErrorProblem(err), errorText(err)
				}
				break
			}
			id, ok := readAnswer(buf[:n], fqdn, pending, r)
			if ok {
				delete(pending, id)
				answered++
				r.Time = render.Millis(time.Since(start))
			}
		}
		if r.Problem != "" {
			break
		}
	}
	// IPv4 first, as getaddrinfo lists them, whichever answer came first.
	slices.SortStableFunc(r.Addrs, func(a, b netip.Addr) int { return cmp.Compare(a.BitLen(), b.BitLen()) })
	judgeResolver(r, answered, 2)
	if r.Status != OK {
		r.Time = 0
	}
	return r
}

// pendingQuery is a DNS query waiting for its answer.
type pendingQuery struct {
	packet []byte
	typ    dnsmessage.Type
}

// readAnswer parses a datagram that may answer one of the pending queries:
// it must be a response with a pending ID and the question asked. It adds
// the answer's A and AAAA records to r, records its response code (the
// first other than NOERROR, if any), and returns the ID answered.
func readAnswer(b []byte, name dnsmessage.Name, pending map[uint16]pendingQuery, r *ResolverResult) (uint16, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(b)
	if err != nil || !h.Response || pending[h.ID].packet == nil {
		return 0, false
	}
	q, err := p.Question()
	if err != nil || q.Type != pending[h.ID].typ || q.Class != dnsmessage.ClassINET || !strings.EqualFold(q.Name.String(), name.String()) {
		return 0, false
	}
	if err := p.SkipAllQuestions(); err != nil {
		return 0, false
	}
	if r.RCode == "" || r.RCode == "NOERROR" {
		r.RCode = rcodeName(h.RCode) // the first error code, else NOERROR
	}
	for {
		ah, err := p.AnswerHeader()
		if err != nil {
			break // dnsmessage.ErrSectionDone, or a malformed record: keep what parsed
		}
		switch {
		case ah.Type == dnsmessage.TypeA && q.Type == dnsmessage.TypeA:
			var a dnsmessage.AResource
			if a, err = p.AResource(); err == nil {
				r.Addrs = append(r.Addrs, netip.AddrFrom4(a.A))
			}
		case ah.Type == dnsmessage.TypeAAAA && q.Type == dnsmessage.TypeAAAA:
			var a dnsmessage.AAAAResource
			if a, err = p.AAAAResource(); err == nil {
				r.Addrs = append(r.Addrs, netip.AddrFrom16(a.AAAA))
			}
		default:
			err = p.SkipAnswer()
		}
		if err != nil {
			break // a malformed record: the parser cannot go on
		}
	}
	return h.ID, true
}
