package media

import "net/netip"

// specialPurpose lists the blocks of IANA's IPv4 and IPv6 Special-Purpose
// Address Registries (RFC 6890 and updates, as of 2024) that are not
// globally reachable, plus the translation blocks that embed an IPv4
// address (NAT64, 6to4, Teredo, IPv4-compatible): through any of them a
// post's media URL could reach Basira's own network or a cloud metadata
// service. The few globally reachable entries (AS112, AMT) are fetched.
var specialPurpose = func() []struct {
	prefix netip.Prefix
	name   string
} {
	table := []struct{ cidr, name string }{
		{"0.0.0.0/8", "this network"},
		{"10.0.0.0/8", "private-use"},
		{"100.64.0.0/10", "shared address space (carrier-grade NAT, cloud metadata)"},
		{"127.0.0.0/8", "loopback"},
		{"169.254.0.0/16", "link local"},
		{"172.16.0.0/12", "private-use"},
		{"192.0.0.0/24", "IETF protocol assignments"},
		{"192.0.2.0/24", "documentation (TEST-NET-1)"},
		{"192.88.99.0/24", "6to4 relay anycast (deprecated)"},
		{"192.168.0.0/16", "private-use"},
		{"198.18.0.0/15", "benchmarking"},
		{"198.51.100.0/24", "documentation (TEST-NET-2)"},
		{"203.0.113.0/24", "documentation (TEST-NET-3)"},
		{"224.0.0.0/4", "multicast"},
		{"240.0.0.0/4", "reserved"}, // includes the limited broadcast address

		{"::/128", "unspecified"},
		{"::1/128", "loopback"},
		{"::/96", "IPv4-compatible (deprecated)"},
		{"64:ff9b::/96", "IPv4-IPv6 translation (NAT64)"},
		{"64:ff9b:1::/48", "local-use IPv4-IPv6 translation"},
		{"100::/64", "discard-only"},
		{"2001::/23", "IETF protocol assignments (Teredo, ORCHID, …)"},
		{"2001:db8::/32", "documentation"},
		{"2002::/16", "6to4"},
		{"3fff::/20", "documentation"},
		{"5f00::/16", "segment routing (SRv6) SIDs"},
		{"fc00::/7", "unique local"},
		{"fe80::/10", "link local"},
		{"fec0::/10", "site local (deprecated)"},
		{"ff00::/8", "multicast"},
	}
	out := make([]struct {
		prefix netip.Prefix
		name   string
	}, len(table))
	for i, e := range table {
		out[i].prefix, out[i].name = netip.MustParsePrefix(e.cidr), e.name
	}
	return out
}()

// SpecialPurpose reports whether a is in a special-purpose block that
// Basira never fetches from, and names the block. An IPv4-mapped IPv6
// address is judged by its IPv4 address; a zoned address is refused.
func SpecialPurpose(a netip.Addr) (string, bool) {
	if !a.IsValid() {
		return "invalid address", true
	}
	if a.Zone() != "" {
		return "scoped (zoned) address", true
	}
	a = a.Unmap()
	for _, e := range specialPurpose {
		if e.prefix.Contains(a) {
			return e.name, true
		}
	}
	return "", false
}
