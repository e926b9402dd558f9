"""A slixmpp client for Torsion's interop tests: logs in (STARTTLS, SASL), asks for the roster, pings the
server, sends a chat message to TARGET and waits for the answer, then prints one JSON line of results."""
import asyncio
import json
import sys

import slixmpp

jid, password, port, ca, target = sys.argv[1:6]
results = {}


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.ca_certs = ca
        self.answered = asyncio.Event()
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('message', self.message)
        self.add_event_handler('failed_auth', lambda _e: self.done('failed_auth'))

    def done(self, why):
        results['end'] = why
        self.answered.set()

    async def start(self, _event):
        results['bound'] = str(self.boundjid)
        results['mechanism'] = self['feature_mechanisms'].mech.name if self['feature_mechanisms'].mech else None
        roster = await self.get_roster()
        results['roster'] = len(roster['roster']['items'])
        self.send_presence()
        self.send_message(mto=target, mbody='hello from slixmpp & co <3', mtype='chat')

    def message(self, msg):
        if msg['type'] in ('chat', 'normal'):
            results['reply'] = msg['body']
            results['reply_from'] = str(msg['from'])
            self.done('replied')


async def main():
    client = Client()
    client.register_plugin('xep_0199')
    client.connect(address=('127.0.0.1', int(port)))
    try:
        await asyncio.wait_for(client.answered.wait(), 20)
    except asyncio.TimeoutError:
        results['end'] = 'timeout'
    results['secure'] = client.is_secure if hasattr(client, 'is_secure') else None
    client.disconnect()
    await asyncio.sleep(0.2)
    print(json.dumps(results), flush=True)


asyncio.run(main())
