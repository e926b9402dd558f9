/** A zone file shared by the interop tests (BIND serves it; Torsion's server parses it). */
export const EXAMPLE_ZONE = `$ORIGIN example.test.
$TTL 300
@       IN SOA ns1 hostmaster (
            2026120501 ; serial
            3600       ; refresh
            600        ; retry
            86400      ; expire
            60 )       ; minimum
        IN NS  ns1
        IN MX  10 mail
        IN TXT "v=spf1 -all" "second"
ns1     IN A   127.0.0.1
mail    IN A   192.0.2.25
www     IN A   192.0.2.80
        IN AAAA 2001:db8::80
alias   IN CNAME www
_sip._tcp IN SRV 10 20 5060 sip
sip     IN A   192.0.2.50
${Array.from({ length: 100 }, (_, i) => `big     IN A   198.51.100.${i + 1}`).join('\n')}
`;

/** A zone with a delegation: `sub` is a child zone served elsewhere, with in-zone glue. */
export const DELEGATING_ZONE = `$ORIGIN parent.test.
$TTL 300
@       IN SOA ns1 hostmaster 1 3600 600 86400 60
        IN NS  ns1
ns1     IN A   127.0.0.1
www     IN A   192.0.2.80
sub     IN NS  ns1.sub
        IN NS  ns.elsewhere.test.
        IN DS  \\# 4 01020304
ns1.sub IN A   192.0.2.53
        IN AAAA 2001:db8::53
to-sub  IN CNAME host.sub
`;
