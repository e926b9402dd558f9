# Python's imaplib against `torsion mail --imap`, for imap/interop.test.ts: one JSON object of findings on stdout.
import imaplib, json, ssl, sys

host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
out = {}

m = imaplib.IMAP4(host, port)
out["caps_before"] = sorted(m.capabilities)
try:
    m.login("alice", "secret")
    out["login_before_tls"] = "accepted"
except imaplib.IMAP4.error as e:
    out["login_before_tls"] = str(e)
m.starttls(ssl_context=ctx)
out["caps_tls"] = sorted(m.capabilities)
out["login"] = m.login("alice", "secret")[0]
typ, data = m.select("INBOX")
out["select"] = [typ, data[0].decode()]
out["uidvalidity"] = m.response("UIDVALIDITY")[1][0].decode()
typ, data = m.search(None, "ALL")
out["search_all"] = data[0].decode()
typ, data = m.search(None, '(SUBJECT "imaplib")')
out["search_subject"] = data[0].decode()
typ, data = m.fetch("1", "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
out["fetch_header"] = [data[0][0].decode(), data[0][1].decode()]
typ, data = m.uid("FETCH", "1:*", "(FLAGS BODY[])")
out["uid_fetch"] = [data[0][0].decode(), data[0][1].decode()]
typ, data = m.fetch("1", "(FLAGS)")
out["flags_after"] = data[0].decode()
out["append"] = m.append("INBOX", "(\\Flagged)", imaplib.Time2Internaldate(1700000000), b"Subject: appended\r\n\r\nby imaplib\r\n")[0]
typ, data = m.search(None, "FLAGGED")
out["search_flagged"] = data[0].decode()
typ, data = m.store("1", "+FLAGS", "(\\Deleted)")
out["store"] = data[0].decode()
typ, data = m.expunge()
out["expunge"] = [d.decode() for d in data if d]
typ, data = m.list()
out["list"] = [d.decode() for d in data]
typ, data = m.status("INBOX", "(MESSAGES UIDNEXT UNSEEN)")
out["status"] = data[0].decode()
out["noop"] = m.noop()[0]
m.close()
out["logout"] = m.logout()[0]
print(json.dumps(out))
