package media

import (
	"net/netip"
	"testing"
)

// TestSpecialPurposeAddresses reproduces issue 15 item 8: the filter let
// through 100.64.0.0/10 (where a cloud metadata service answers), NAT64
// 64:ff9b::/96, 192.0.0.0/24, 198.18.0.0/15 and 240.0.0.0/4. Every
// non-global block of IANA's IPv4 and IPv6 special-purpose registries is
// refused; ordinary public addresses are not.
func TestSpecialPurposeAddresses(t *testing.T) {
	for _, c := range []struct {
		addr   string
		refuse bool
	}{
		{"0.0.0.0", true}, {"0.1.2.3", true},
		{"10.0.0.1", true},
		{"100.64.0.1", true}, {"100.100.100.200", true}, {"100.127.255.254", true},
		{"100.63.255.255", false}, {"100.128.0.1", false},
		{"127.0.0.1", true}, {"127.255.255.254", true},
		{"169.254.169.254", true},
		{"172.16.0.1", true}, {"172.31.255.255", true}, {"172.32.0.1", false},
		{"192.0.0.1", true}, {"192.0.0.170", true},
		{"192.0.2.10", true}, {"192.88.99.1", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true}, {"198.19.255.255", true}, {"198.20.0.1", false},
		{"198.51.100.7", true}, {"203.0.113.9", true},
		{"224.0.0.1", true}, {"239.255.255.250", true},
		{"240.0.0.1", true}, {"255.255.255.255", true},
		{"8.8.8.8", false}, {"1.1.1.1", false}, {"151.101.1.69", false},
		{"::", true}, {"::1", true},
		{"::ffff:127.0.0.1", true}, {"::ffff:10.1.2.3", true}, {"::ffff:8.8.8.8", false},
		{"::127.0.0.1", true},
		{"64:ff9b::a9fe:a9fe", true}, {"64:ff9b::808:808", true}, {"64:ff9b:1::1", true},
		{"100::1", true},
		{"2001::1", true}, {"2001:db8::1", true}, {"2002:7f00:1::1", true},
		{"3fff::1", true}, {"5f00::1", true},
		{"fc00::1", true}, {"fd12:3456::1", true},
		{"fe80::1", true}, {"fec0::1", true},
		{"ff02::1", true},
		{"2606:4700:4700::1111", false}, {"2a00:1450:4007:80e::200e", false},
	} {
		a := netip.MustParseAddr(c.addr)
		block, refused := SpecialPurpose(a)
		if refused != c.refuse {
			t.Errorf("%s: refused %v (%s), want %v", c.addr, refused, block, c.refuse)
		}
	}
	if _, refused := SpecialPurpose(netip.MustParseAddr("fe80::1%eth0")); !refused {
		t.Error("a zoned address passed")
	}
}
