"""A Python Twisted AMP peer for Torsion's interop test.

server PORT: answers AllTypes (echo plus the Python types seen), Divide, Boom.
client PORT: calls a Torsion server with every argument type and error, prints one JSON line.
"""
import datetime
import decimal
import json
import math
import sys

from twisted.internet import defer, endpoints, protocol, reactor
from twisted.protocols import amp

SCHEMA = [
    (b"i", amp.Integer()),
    (b"big", amp.Integer()),
    (b"s", amp.String()),
    (b"u", amp.Unicode()),
    (b"b", amp.Boolean()),
    (b"fl", amp.Float()),
    (b"fnan", amp.Float()),
    (b"finf", amp.Float()),
    (b"d", amp.Decimal()),
    (b"dt", amp.DateTime()),
    (b"li", amp.ListOf(amp.Integer())),
    (b"lu", amp.ListOf(amp.Unicode())),
    (b"al", amp.AmpList([(b"x", amp.Integer()), (b"y", amp.Unicode())])),
    (b"opt", amp.Unicode(optional=True)),
]


class AllTypes(amp.Command):
    arguments = SCHEMA
    response = SCHEMA + [(b"seen", amp.Unicode())]


class Divide(amp.Command):
    arguments = [(b"numerator", amp.Integer()), (b"denominator", amp.Integer())]
    response = [(b"result", amp.Integer())]
    errors = {ZeroDivisionError: b"ZERO_DIVISION"}


class Boom(amp.Command):
    arguments = []
    response = []


class Nope(amp.Command):
    arguments = []
    response = []


def describe(values):
    return ",".join(
        "%s:%s" % (k, type(v).__name__) for k, v in sorted(values.items()) if v is not None
    ) + "|dt=" + values["dt"].isoformat() + "|d=" + str(values["d"])


class Server(amp.AMP):
    @AllTypes.responder
    def allTypes(self, **values):
        return dict(values, seen=describe(values))

    @Divide.responder
    def divide(self, numerator, denominator):
        return {"result": numerator // denominator}

    @Boom.responder
    def boom(self):
        raise RuntimeError("not declared")


def serve(port):
    factory = protocol.Factory.forProtocol(Server)
    reactor.listenTCP(port, factory, interface="127.0.0.1")
    print("listening on %d" % port, flush=True)
    reactor.run()


SENT = dict(
    i=-7,
    big=2**70,
    s=bytes(range(256)),
    u="h\u00e9llo \u2603 \U0001F600",
    b=True,
    fl=0.1,
    fnan=float("nan"),
    finf=float("-inf"),
    d=decimal.Decimal("1.10"),
    dt=datetime.datetime(2024, 2, 29, 23, 59, 58, 123000, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30))),
    li=[1, -2, 2**64],
    lu=["a", "", "\u00fc"],
    al=[{"x": 1, "y": "one"}, {"x": 2, "y": "two"}],
)


@defer.inlineCallbacks
def client(port):
    out = {}
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    proto = yield endpoints.connectProtocol(endpoint, amp.AMP())
    got = yield proto.callRemote(AllTypes, **SENT)
    mismatched = [
        k for k, v in SENT.items()
        if not (k == "fnan" and math.isnan(got[k])) and got[k] != v
    ]
    out["alltypes"] = "ok" if not mismatched else "mismatch: %r" % ([(k, got[k]) for k in mismatched],)
    out["seen"] = got["seen"]
    out["opt"] = repr(got.get("opt"))
    got = yield proto.callRemote(Divide, numerator=7, denominator=2)
    out["divide"] = got["result"]
    try:
        yield proto.callRemote(Divide, numerator=1, denominator=0)
    except ZeroDivisionError as e:
        out["zero"] = "ZeroDivisionError: %s" % (e,)
    try:
        yield proto.callRemote(Nope)
    except amp.UnhandledCommand:
        out["nope"] = "UnhandledCommand"
    try:
        yield proto.callRemote(Boom)
    except amp.UnknownRemoteError:
        out["boom"] = "UnknownRemoteError"
    print(json.dumps(out), flush=True)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "server":
        serve(port)
    else:
        d = client(port)
        d.addErrback(lambda f: print(json.dumps({"error": f.getTraceback()}), flush=True))
        d.addBoth(lambda _: reactor.stop())
        reactor.run()


if __name__ == "__main__":
    main()
