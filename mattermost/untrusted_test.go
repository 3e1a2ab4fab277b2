package mattermost

import (
	"net"
	"testing"
)

func TestUntrustedAllowsFollowsMattermostsRules(t *testing.T) {
	private := []net.IP{net.ParseIP("10.1.2.3")}
	for _, c := range []struct {
		name, setting, host string
		ips                 []net.IP
		want                bool
	}{
		{"public address needs nothing", "", "mmzoom.example.com", []net.IP{net.ParseIP("203.0.113.7")}, true},
		{"private address, empty setting", "", "mmzoom.internal", private, false},
		{"host listed as written", "mattermost.local mmzoom.internal", "mmzoom.internal", private, true},
		{"comma separated", "a.local,mmzoom.internal", "mmzoom.internal", private, true},
		{"a host is compared exactly", "internal", "mmzoom.internal", private, false},
		{"a bare IP entry does not cover a resolved name", "10.1.2.3", "mmzoom.internal", private, false},
		{"a CIDR entry covers the resolved address", "10.0.0.0/8", "mmzoom.internal", private, true},
		{"a CIDR that misses", "192.168.0.0/16", "mmzoom.internal", private, false},
		{"a literal IP host listed as written", "127.0.0.1", "127.0.0.1", []net.IP{net.ParseIP("127.0.0.1")}, true},
		{"loopback v6", "", "::1", []net.IP{net.ParseIP("::1")}, false},
		// httpservice's dialContextFilter skips the addresses it may not call and dials the others.
		{"one allowed address is enough", "10.0.0.0/8", "m", []net.IP{net.ParseIP("10.0.0.1"), net.ParseIP("172.16.0.1")}, true},
		{"localhost as v6 and v4, v4 range listed", "127.0.0.0/8", "localhost", []net.IP{net.ParseIP("::1"), net.ParseIP("127.0.0.1")}, true},
		{"a public address among private ones", "", "m", []net.IP{net.ParseIP("10.0.0.1"), net.ParseIP("203.0.113.7")}, true},
		{"no address at all", "", "m", nil, false},
		// splitFields: unicode.IsSpace or a comma.
		{"tab and newline separated", "a.local\tb.local\nmmzoom.internal", "mmzoom.internal", private, true},
		{"comma and space mixed", "a.local, 10.0.0.0/8", "mmzoom.internal", private, true},
	} {
		if got := UntrustedAllows(c.setting, c.host, c.ips); got != c.want {
			t.Errorf("%s: UntrustedAllows(%q, %q) = %v", c.name, c.setting, c.host, got)
		}
	}
	if got := AddUntrusted(" a.local ", "mmzoom.internal"); got != "a.local mmzoom.internal" {
		t.Errorf("AddUntrusted = %q", got)
	}
}

func TestServerVersionFromHeader(t *testing.T) {
	for header, want := range map[string]string{
		"9.9.0.9.9.0.abc.false": "9.9.0", "5.36.1.5.36.1.x.true": "5.36.1", "": "", "dev": "", "x.y.z.w": "",
	} {
		if got := versionOf(header); got != want {
			t.Errorf("versionOf(%q) = %q, want %q", header, got, want)
		}
	}
	for v, want := range map[string]bool{"9.0.0": true, "10.11.2": true, "8.1.4": false, "5.36.1": false, "": false} {
		if got := VersionAtLeast(v, 9, 0); got != want {
			t.Errorf("VersionAtLeast(%q, 9, 0) = %v", v, got)
		}
	}
}
