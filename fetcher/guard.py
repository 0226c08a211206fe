"""The address guard: which resolved addresses a server-side fetch of an untrusted URL may connect to.

The web app fetches addresses that strangers type in. Without a guard, `http://169.254.169.254/` or
`http://localhost:5432/` would let them read the server's own network (SSRF). `fetcher.fetch_url` calls the
guard with every address a host name resolves to, on the first request and on every redirect, and then
connects to exactly the address that passed (no second DNS answer, so no DNS rebinding).

`refuse_internal_addresses` is an `fetcher.AddressGuard`: it returns None to allow, or one sentence saying
why the address is refused.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_HINT = "an operator can allow such addresses with `sdg-tags serve --allow-private`"

# Instance-metadata services of cloud providers hand out credentials to whoever asks from inside.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(text)
    for text in (
        "169.254.169.254",  # AWS, Azure, GCP, OpenStack, DigitalOcean ...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
    )
)
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d form


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, 6to4, IPv4-compatible), if any.

    Operating systems and NAT64 gateways deliver such addresses to the embedded IPv4 host, so
    `::ffff:127.0.0.1` reaches this machine's loopback interface.
    """
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped, "IPv4-mapped"
    if any(address in prefix for prefix in NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "NAT64"
    if address.sixtofour is not None:
        return address.sixtofour, "6to4"
    if address in IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are handled as themselves
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "IPv4-compatible"
    return None


def _kind(address: IPAddress) -> str | None:
    """What kind of internal address this is, in words, or None for a public (globally routed) address."""
    if address in METADATA_ADDRESSES:
        return "a cloud instance-metadata address"
    if address.is_unspecified or (address.version == 4 and address in THIS_NETWORK):
        return "the unspecified address (it means this machine)"
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address"
    if address.version == 4 and address in SHARED_ADDRESS_SPACE:
        return "a carrier-grade NAT (shared) address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        if address.version == 6 and address in ipaddress.ip_network("fc00::/7"):
            return "a private (unique local) IPv6 address"
        if address.version == 4 and any(
            address in ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
        ):
            return "a private network address"
        return "a reserved or special-purpose address"
    if address.is_reserved or not address.is_global:
        return "a reserved or special-purpose address"
    return None


def address_refusal(address: str) -> str | None:
    """Why a server-side fetch must not connect to `address` (an IP address as text), or None if it may.

    The reason reads after "refused to connect to HOST (ADDRESS): ", which is how the fetcher reports it.
    """
    try:
        parsed: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("%eth0")
    except ValueError:
        return f"{address!r} is not an IP address, so it cannot be checked"
    if isinstance(parsed, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(parsed)
        if embedded is not None:
            inner, form = embedded
            kind = _kind(inner)
            # The packet goes to the embedded IPv4 host, so that host alone decides.
            return None if kind is None else f"it is the {form} form of {inner}, {kind}; {ALLOW_HINT}"
    kind = _kind(parsed)
    if kind is None:
        return None
    return f"it is {kind}; {ALLOW_HINT}"


def refuse_internal_addresses(host: str, address: str) -> str | None:
    """An `AddressGuard` that refuses loopback, private, link-local, metadata and other non-public addresses."""
    return address_refusal(address)
