package mattermost

import (
	"net"
	"strings"
	"unicode"
)

// Mattermost refuses to call reserved addresses (slash commands, buttons, dialogs) unless
// ServiceSettings.AllowedUntrustedInternalConnections lets it (server/platform/services/httpservice): the
// ranges below are blocked, and an entry of the setting allows a call when it equals the URL's host string
// exactly, or when it is a CIDR range holding the resolved address. Entries are separated by commas or any
// white space (splitFields), and the dialer skips the addresses it may not call and dials the others
// (dialContextFilter in httpservice/client.go), so one allowed address is enough. Mattermost also refuses
// its own host's addresses unless a CIDR entry covers them; mmzoom cannot see those from here. A refused call shows the user only
// "Command with a trigger of 'zoom' failed." (observed), so setup checks this before anyone types /zoom.

// reservedRanges are the networks Mattermost's outgoing client treats as internal.
var reservedRanges = func() []*net.IPNet {
	var out []*net.IPNet
	for _, cidr := range []string{"0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.168.0.0/16", "::/128", "::1/128", "fc00::/7", "fe80::/10"} {
		_, n, _ := net.ParseCIDR(cidr) // constants: cannot fail
		out = append(out, n)
	}
	return out
}()

// IsReservedIP says whether Mattermost refuses to call ip without AllowedUntrustedInternalConnections.
func IsReservedIP(ip net.IP) bool {
	for _, n := range reservedRanges {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// UntrustedAllows says whether the setting's value lets Mattermost call host, which resolves to ips: host
// is listed as it is, or one of ips is public or lies in a listed CIDR range.
func UntrustedAllows(setting, host string, ips []net.IP) bool {
	entries := strings.FieldsFunc(setting, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	var nets []*net.IPNet
	for _, e := range entries {
		if e == host {
			return true
		}
		if _, n, err := net.ParseCIDR(e); err == nil {
			nets = append(nets, n)
		}
	}
	for _, ip := range ips {
		if !IsReservedIP(ip) {
			return true
		}
		for _, n := range nets {
			if n.Contains(ip) {
				return true
			}
		}
	}
	return false
}

// AddUntrusted returns the setting with host appended (space-separated, as the System Console writes it).
func AddUntrusted(setting, host string) string {
	if strings.TrimSpace(setting) == "" {
		return host
	}
	return strings.TrimSpace(setting) + " " + host
}
