"""A slixmpp client for the words XMPP door's room configuration test: logs in, makes ROOM by joining it
(so it is the room's owner), reads the configuration form, submits it with the room moderated and a
password, reads it back, waits for GO on stdin, destroys the room and prints one JSON line of results."""
import asyncio
import json
import sys

import slixmpp

jid, password, port, ca, room, nick = sys.argv[1:7]
results = {}


def values(form):
    return {var: field['value'] for var, field in form.get_fields().items()}


class Client(slixmpp.ClientXMPP):
    def __init__(self):
        super().__init__(jid, password)
        self.ca_certs = ca
        self.finished = asyncio.Event()
        self.add_event_handler('session_start', self.start)
        self.add_event_handler('failed_auth', lambda _e: self.done('failed_auth'))

    def done(self, why):
        results['end'] = why
        self.finished.set()

    async def start(self, _event):
        self.send_presence()
        muc = self.plugin['xep_0045']
        await muc.join_muc_wait(room, nick, maxstanzas=0, timeout=10)
        form = await muc.get_room_config(room, timeout=10)
        results['before'] = values(form)
        form.set_values({'muc#roomconfig_moderatedroom': True, 'muc#roomconfig_passwordprotectedroom': True, 'muc#roomconfig_roomsecret': 'sesame'})
        await muc.set_room_config(room, form, timeout=10)
        results['after'] = values(await muc.get_room_config(room, timeout=10))
        print('CONFIGURED', flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await muc.destroy(room, reason='closing time', timeout=10)
        results['destroyed'] = True
        await asyncio.sleep(0.3)
        self.done('destroyed')


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
    print(json.dumps(results, default=str), flush=True)


asyncio.run(main())
