"""A Python Twisted peer for Torsion's ProtocolSwitchCommand interop test.

server PORT: answers SwitchToUpper by switching the connection to an upper-casing echo that greets first.
client PORT: calls SwitchToUpper on a Torsion server, then speaks the line protocol; prints one JSON line.
"""
import json
import sys

from twisted.internet import defer, endpoints, protocol, reactor
from twisted.protocols import amp


class NotNow(Exception):
    pass


class SwitchToUpper(amp.ProtocolSwitchCommand):
    arguments = [(b"greeting", amp.Unicode())]
    errors = {NotNow: b"NOT_NOW"}


class UpperEcho(protocol.Protocol):
    def __init__(self, greeting):
        self.greeting = greeting

    def connectionMade(self):
        self.transport.write(("welcome %s\n" % self.greeting).encode())

    def dataReceived(self, data):
        self.transport.write(data.upper())


class Server(amp.AMP):
    @SwitchToUpper.responder
    def switch(self, greeting):
        if greeting == "later":
            raise NotNow("not now")
        return UpperEcho(greeting)


class Listener(protocol.Protocol):
    """After the switch: sends "python", collects until the echo of it arrived."""

    def __init__(self, done):
        self.heard = b""
        self.done = done

    def connectionMade(self):
        self.transport.write(b"python")

    def dataReceived(self, data):
        self.heard += data
        if self.heard.endswith(b"PYTHON") and not self.done.called:
            self.done.callback(self.heard.decode())


class ListenerFactory(protocol.ClientFactory):
    def __init__(self, done):
        self.done = done

    def buildProtocol(self, addr):
        return Listener(self.done)


@defer.inlineCallbacks
def client(port):
    out = {}
    endpoint = endpoints.TCP4ClientEndpoint(reactor, "127.0.0.1", port)
    proto = yield endpoints.connectProtocol(endpoint, amp.AMP())
    try:
        yield proto.callRemote(SwitchToUpper, greeting="later", _protoToSwitchToFactory=ListenerFactory(defer.Deferred()))
    except NotNow as e:
        out["later"] = "NotNow: %s" % (e,)
    done = defer.Deferred()
    yield proto.callRemote(SwitchToUpper, greeting="python", _protoToSwitchToFactory=ListenerFactory(done))
    out["heard"] = yield done
    print(json.dumps(out), flush=True)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "server":
        reactor.listenTCP(port, protocol.Factory.forProtocol(Server), interface="127.0.0.1")
        print("listening on %d" % port, flush=True)
        reactor.run()
    else:
        d = client(port)
        d.addErrback(lambda f: print(json.dumps({"error": f.getTraceback()}), flush=True))
        d.addBoth(lambda _: reactor.stop())
        reactor.run()


if __name__ == "__main__":
    main()
