package mmsim

import (
	"net"
	"net/url"
	"strings"
	"unicode"
)

// Mattermost's outgoing client (slash commands, buttons, dialogs) refuses reserved addresses unless
// ServiceSettings.AllowedUntrustedInternalConnections allows them: an entry equal to the URL's host, or a
// CIDR range holding the address (§3.4). Entries are separated by commas or any white space (splitFields in
// server/platform/services/httpservice/httpservice.go), and the dialer (dialContextFilter in client.go)
// skips the resolved addresses it may not call and dials the others: one allowed address is enough. The user then sees only "Command with a trigger of '…' failed."
// (observed, §8). The simulator applies this when Options.BlockUntrusted is set; tests that run everything
// on loopback leave it off, as if the setting allowed them.

var reservedNets = func() []*net.IPNet {
	var out []*net.IPNet
	for _, c := range []string{"0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16",
		"::/128", "::1/128", "fc00::/7", "fe80::/10"} {
		_, n, _ := net.ParseCIDR(c)
		out = append(out, n)
	}
	return out
}()

// outgoingAllowed says whether Mattermost would call rawURL.
func (s *Server) outgoingAllowed(rawURL string) bool {
	if !s.opts.BlockUntrusted || strings.HasPrefix(rawURL, "/plugins/") { // the server's own plugins are trusted
		return true
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	host := u.Hostname()
	s.mu.Lock()
	allowed, _ := s.configValue("ServiceSettings", "AllowedUntrustedInternalConnections").(string)
	s.mu.Unlock()
	entries := strings.FieldsFunc(allowed, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	for _, e := range entries {
		if e == host {
			return true
		}
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return false
	}
	for _, ip := range ips {
		reserved := false
		for _, n := range reservedNets {
			reserved = reserved || n.Contains(ip)
		}
		for _, own := range s.opts.OwnIPs {
			reserved = reserved || own.Equal(ip) // allowIP: an own address needs a CIDR entry too
		}
		if !reserved {
			return true
		}
		for _, e := range entries {
			if _, n, err := net.ParseCIDR(e); err == nil && n.Contains(ip) {
				return true
			}
		}
	}
	return false
}
