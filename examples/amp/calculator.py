"""The same calculator in Python Twisted: `python3 calculator.py server PORT` or `python3 calculator.py client PORT`."""
import sys

from twisted.internet import defer, endpoints, protocol, reactor
from twisted.protocols import amp


class Divide(amp.Command):
    arguments = [(b"numerator", amp.Integer()), (b"denominator", amp.Integer())]
    response = [(b"result", amp.Integer())]
    errors = {ZeroDivisionError: b"ZERO_DIVISION"}


class Sum(amp.Command):
    arguments = [(b"values", amp.ListOf(amp.Integer()))]
    response = [(b"total", amp.Integer())]


class Greet(amp.Command):
    arguments = [(b"name", amp.Unicode())]
    response = [(b"greeting", amp.Unicode())]


class Calculator(amp.AMP):
    @Divide.responder
    def divide(self, numerator, denominator):
        return {"result": numerator // denominator}

    @Sum.responder
    def sum(self, values):
        return {"total": sum(values)}

    @Greet.responder
    def greet(self, name):
        return {"greeting": "Hello, %s!" % name}


@defer.inlineCallbacks
def client(port):
    proto = yield endpoints.connectProtocol(endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port), amp.AMP())
    print("7 / 2 =", (yield proto.callRemote(Divide, numerator=7, denominator=2))["result"])
    try:
        yield proto.callRemote(Divide, numerator=1, denominator=0)
    except ZeroDivisionError as e:
        print("1 / 0 failed:", e)
    print("sum =", (yield proto.callRemote(Sum, values=[1, 2, 2**64]))["total"])
    print((yield proto.callRemote(Greet, name="Ada"))["greeting"])
    proto.transport.loseConnection()


if __name__ == "__main__":
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "server":
        reactor.listenTCP(port, protocol.Factory.forProtocol(Calculator), interface="127.0.0.1")
        print("python amp calculator on 127.0.0.1:%d" % port, flush=True)
    else:
        d = client(port)
        d.addErrback(lambda f: (print(f.getTraceback(), file=sys.stderr), sys.exit(1)))
        d.addBoth(lambda _: reactor.stop())
    reactor.run()
