"""An external component (XEP-0114) with slixmpp's ComponentXMPP: serves DOMAIN, answers the first chat
message with "echo: BODY" from the address it was sent to, then prints one JSON line and leaves."""
import asyncio
import json
import sys

from slixmpp import ComponentXMPP

domain, secret, port = sys.argv[1:4]
results = {}


class Echo(ComponentXMPP):
    def __init__(self):
        super().__init__(domain, secret, '127.0.0.1', int(port))
        self.finished = asyncio.Event()
        self.add_event_handler('session_start', lambda _e: print(json.dumps({'connected': True}), flush=True))
        self.add_event_handler('message', self.message)
        self.add_event_handler('disconnected', lambda _e: self.finished.set())

    def message(self, msg):
        if msg['type'] not in ('chat', 'normal'):
            return
        results['from'] = str(msg['from'])
        results['to'] = str(msg['to'])
        results['body'] = msg['body']
        self.send_message(mto=msg['from'], mfrom=msg['to'], mbody='echo: ' + msg['body'], mtype='chat')
        self.finished.set()


async def main():
    echo = Echo()
    echo.connect()
    try:
        await asyncio.wait_for(echo.finished.wait(), 30)
    except asyncio.TimeoutError:
        results['end'] = 'timeout'
    await asyncio.sleep(0.3)
    echo.disconnect()
    await asyncio.sleep(0.2)
    print(json.dumps(results), flush=True)


asyncio.run(main())
