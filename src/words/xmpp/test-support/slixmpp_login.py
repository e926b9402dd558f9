"""Logs in with slixmpp (STARTTLS, SASL) and prints one JSON line: the bound JID, the mechanism that
worked, and the SASL failures on the way (slixmpp tries its next mechanism after each)."""
import asyncio
import json
import sys

import slixmpp

jid, password, port, ca = sys.argv[1:5]
results = {'failures': []}


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.ca_certs = ca
        self.finished = asyncio.Event()
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('failed_auth', self.failed)
        self.add_event_handler('no_auth', lambda _e: self.done('no_auth'))
        self.add_event_handler('disconnected', lambda _e: self.done('disconnected'))

    def failed(self, stanza):
        mech = self['feature_mechanisms'].mech
        results['failures'].append([mech.name if mech else None, stanza['condition'], stanza['text']])

    def done(self, why):
        results.setdefault('end', why)
        self.finished.set()

    async def start(self, _event):
        results['bound'] = str(self.boundjid)
        results['mechanism'] = self['feature_mechanisms'].mech.name
        self.done('bound')


async def main():
    client = Client()
    client.connect(address=('127.0.0.1', int(port)))
    try:
        await asyncio.wait_for(client.finished.wait(), 20)
    except asyncio.TimeoutError:
        results['end'] = 'timeout'
    client.disconnect()
    await asyncio.sleep(0.2)
    print(json.dumps(results))


asyncio.run(main())
