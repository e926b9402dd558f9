"""A slixmpp client for the words XMPP door's interop test: logs in (STARTTLS, PLAIN with a words account),
tries to join ROOM under a nick an IRC user holds (expecting a 409 conflict), joins under NICK, waits for
the IRC user's line, answers in the room and privately, then leaves and prints one JSON line of results."""
import asyncio
import json
import sys

import slixmpp
from slixmpp.exceptions import PresenceError

jid, password, port, ca, room, nick, taken = sys.argv[1:8]
results = {}


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.ca_certs = ca
        self.finished = asyncio.Event()
        self.heard = asyncio.Event()
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('groupchat_message', self.groupchat)
        self.add_event_handler('failed_auth', lambda _e: self.done('failed_auth'))

    def done(self, why):
        results['end'] = why
        self.finished.set()

    def groupchat(self, msg):
        results.setdefault('heard', []).append([str(msg['from']), msg['body']])
        if msg['body'] == 'hello from irc':
            self.heard.set()

    async def start(self, _event):
        results['bound'] = str(self.boundjid)
        results['mechanism'] = self['feature_mechanisms'].mech.name if self['feature_mechanisms'].mech else None
        self.send_presence()
        muc = self.plugin['xep_0045']
        try:
            await muc.join_muc_wait(room, taken, maxstanzas=5, timeout=10)
            results['conflict'] = 'joined'
        except PresenceError as e:
            results['conflict'] = e.condition
        _presence, subject, occupants, _history = await muc.join_muc_wait(room, nick, maxstanzas=5, timeout=10)
        results['occupants'] = sorted(str(o['from'].resource) for o in occupants)
        results['subject'] = str(subject['subject'])
        print('JOINED', flush=True)
        await asyncio.wait_for(self.heard.wait(), 15)
        self.send_message(mto=room, mbody='hello from slixmpp & co', mtype='groupchat')
        self.send_message(mto='%s/%s' % (room, taken), mbody='psst', mtype='chat')
        await asyncio.sleep(0.5)
        muc.leave_muc(room, nick)
        await asyncio.sleep(0.3)
        self.done('left')


async def main():
    client = Client()
    client.register_plugin('xep_0045')
    client.connect(address=('127.0.0.1', int(port)))
    try:
        await asyncio.wait_for(client.finished.wait(), 30)
    except asyncio.TimeoutError:
        results['end'] = 'timeout'
    client.disconnect()
    await asyncio.sleep(0.2)
    print(json.dumps(results), flush=True)


asyncio.run(main())
