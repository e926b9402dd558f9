"""A slixmpp client for the words XMPP door's roster interop test: registers in-band (XEP-0077), logs in
with the new account, adds CONTACT to its roster, asks to see its presence, and waits for the approval and
the contact's presence, with stream management (XEP-0198) on; then prints one JSON line of results."""
import asyncio
import json
import logging
import os
import sys

import slixmpp

jid, password, port, ca, contact = sys.argv[1:6]
if os.environ.get('SLIX_DEBUG'):
    logging.basicConfig(level=logging.DEBUG)
results = {}


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.ca_certs = ca
        self.finished = asyncio.Event()
        self.add_event_handler('register', self.register)
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('presence_subscribed', self.subscribed)
        self.add_event_handler('presence_available', self.available)
        self.add_event_handler('roster_update', self.roster_update)
        self.add_event_handler('failed_auth', lambda _e: self.done('failed_auth'))
        self.add_event_handler('sm_enabled', lambda _e: results.__setitem__('sm_id', bool(self['xep_0198'].sm_id)))
        self.add_event_handler('stream_error', lambda e: results.__setitem__('stream_error', str(e)))

    def done(self, why):
        results['end'] = why
        self.finished.set()

    async def register(self, _event):
        iq = self.Iq()
        iq['type'] = 'set'
        iq['register']['username'] = self.boundjid.user
        iq['register']['password'] = self.password
        try:
            await iq.send(timeout=10)
            results['registered'] = True
        except Exception as e:  # noqa: BLE001 - reported in the results
            results['registered'] = repr(e)

    async def start(self, _event):
        self._always_send_everything = False
        results['bound'] = str(self.boundjid)
        await self.get_roster()
        self.send_presence()
        await self.update_roster(contact, name='Romeo', groups=['Verona'])
        self.send_presence_subscription(pto=contact)

    def roster_update(self, _iq):
        item = self.client_roster[contact]
        results['subscription'] = item['subscription']
        results['groups'] = item['groups']

    def subscribed(self, presence):
        results['subscribed_from'] = str(presence['from'])

    def available(self, presence):
        if presence['from'].bare == contact:
            results['contact_presence'] = str(presence['from'])
            results['contact_status'] = presence['status']
            asyncio.ensure_future(self.finish())

    async def finish(self):
        # Enough stanzas both ways for acknowledgements to be asked for and given (XEP-0198).
        for n in range(6):
            await self['xep_0199'].ping(timeout=10)
        await asyncio.sleep(0.3)
        sm = self['xep_0198']
        results['sm_acked'] = sm.last_ack
        results['sm_handled'] = sm.handled
        self.done('saw contact')


async def main():
    client = Client()
    client.register_plugin('xep_0077')
    client.register_plugin('xep_0198')
    client.register_plugin('xep_0199')
    client['xep_0077'].force_registration = True
    # slixmpp 1.8 queues stanzas until the session starts, the registration form included: let them through
    # until then (the stream is inside TLS by the time the form is asked for).
    client._always_send_everything = True
    client.connect(address=('127.0.0.1', int(port)))
    try:
        await asyncio.wait_for(client.finished.wait(), 30)
    except asyncio.TimeoutError:
        results['end'] = 'timeout'
    client.disconnect()
    await asyncio.sleep(0.2)
    print(json.dumps(results), flush=True)


asyncio.run(main())
