package testutil

import (
	"context"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/bangfu/bangfu/internal/store"
)

// Proxy is a TCP proxy in front of the test PostgreSQL server that a test
// can freeze (bytes stop flowing both ways, as with a hung server or a
// network partition; new connections are accepted but hang) or take down
// (every connection closed, new ones refused, as in a restart), without
// touching the server the other tests share.
type Proxy struct {
	ln       net.Listener
	upstream string

	mu    sync.Mutex
	gate  chan struct{} // closed while bytes flow
	down  bool
	conns map[net.Conn]bool
}

// NewProxy starts a proxy to the test server; it stops when the test ends.
func NewProxy(t testing.TB) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config()
	p := &Proxy{ln: ln, upstream: net.JoinHostPort(cfg.Host, cfg.Port), gate: make(chan struct{}), conns: map[net.Conn]bool{}}
	close(p.gate)
	go p.accept()
	t.Cleanup(func() {
		p.Thaw()
		ln.Close()
		p.Break()
	})
	return p
}

// URL is the URL of st's database through the proxy, as st's user.
func (p *Proxy) URL(st *store.Store) string {
	c := st.Pool.Config().ConnConfig
	u := url.URL{Scheme: "postgres", User: url.UserPassword(c.User, c.Password), Host: p.ln.Addr().String(), Path: "/" + c.Database, RawQuery: "sslmode=disable"}
	return u.String()
}

// Freeze stops forwarding bytes until Thaw.
func (p *Proxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
		p.gate = make(chan struct{})
	default:
	}
}

// Thaw lets bytes flow again.
func (p *Proxy) Thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
}

// Break closes every connection through the proxy and refuses new ones
// until Restore: the database went away.
func (p *Proxy) Break() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Restore accepts connections again after Break.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		go p.serve(c)
	}
}

func (p *Proxy) serve(c net.Conn) {
	u, err := net.Dial("tcp", p.upstream)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		u.Close()
		return
	}
	p.conns[c], p.conns[u] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.pipe(u, c); done <- struct{}{} }()
	go func() { p.pipe(c, u); done <- struct{}{} }()
	<-done
	c.Close()
	u.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, u)
	p.mu.Unlock()
}

// pipe copies from src to dst, holding each piece while the proxy is
// frozen.
func (p *Proxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			gate := p.gate
			p.mu.Unlock()
			<-gate
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// ProxyStore returns a store on st's database through p, as the
// application's database role and bounded by lim, as `bangfu serve` is.
func ProxyStore(t testing.TB, st *store.Store, p *Proxy, lim store.PoolLimits) *store.Store {
	t.Helper()
	ensureAppMember(t)
	app, err := store.OpenAs(context.Background(), p.URL(st), store.AppRole, st.Keys, lim)
	if err != nil {
		t.Fatalf("testutil.ProxyStore: %v", err)
	}
	t.Cleanup(func() { p.Thaw(); app.Close() })
	return app
}
