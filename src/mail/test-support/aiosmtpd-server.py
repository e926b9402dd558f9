# aiosmtpd as a peer for Torsion's SMTP client and benchmark: takes mail for @example.org (others get 550),
# offers STARTTLS and AUTH (alice/secret) when given a certificate, and records each message as one JSON line.
# usage: aiosmtpd-server.py PORT OUT [CERT KEY]   (OUT: a JSON-lines file, "-" to keep nothing, or
# "maildir:DIR" to store each message in a Maildir the way Python's mailbox module does, as the benchmark does)
import json, mailbox, ssl, sys, threading
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

port, out = int(sys.argv[1]), sys.argv[2]
box = mailbox.Maildir(out[len("maildir:"):], create=True) if out.startswith("maildir:") else None


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not address.endswith("@example.org"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if box is not None:
            box.add(envelope.original_content)
        elif out != "-":
            with open(out, "a") as f:
                f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos, "data": envelope.original_content.decode("utf-8", "replace"), "tls": session.ssl is not None, "auth": session.authenticated}) + "\n")
        return "250 2.0.0 accepted"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = getattr(auth_data, "login", None) == b"alice" and getattr(auth_data, "password", None) == b"secret"
    # handled=False: aiosmtpd answers 535 itself (handled=True would leave the client waiting).
    return AuthResult(success=ok, handled=False)


kwargs = {}
if len(sys.argv) > 4:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    kwargs = {"tls_context": ctx, "authenticator": authenticator, "auth_require_tls": True}
controller = Controller(Handler(), hostname="127.0.0.1", port=port, **kwargs)
controller.start()
print("ready", flush=True)
try:
    threading.Event().wait()
finally:
    controller.stop()
