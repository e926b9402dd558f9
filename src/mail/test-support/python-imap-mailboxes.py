# Python's imaplib doing mailbox operations against `torsion mail --imap`, for imap/interop.test.ts:
# one JSON object of findings on stdout (every server answer as text, for the test to judge).
import imaplib, json, ssl, sys

host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
out = {}

def text(data):
    return [d.decode() if isinstance(d, bytes) else [x.decode() for x in d] for d in data if d is not None]

m = imaplib.IMAP4(host, port)
m.starttls(ssl_context=ssl.create_default_context(cafile=cafile))
m.login("alice", "secret")
out["caps"] = sorted(m.capabilities)
out["create"] = [m.create(name)[0] for name in ("Archive/2024", "Entw&APw-rfe", "Sent")]
out["create_bad"] = [m.create(name)[0] for name in ("../escape", "Sent")]
out["list"] = text(m.list()[1])
typ, data = m._simple_command("LIST", "(SPECIAL-USE)", '""', '"*"', "RETURN", "(SPECIAL-USE)")
out["list_special"] = text(m._untagged_response(typ, data, "LIST")[1])
out["list_children"] = text(m.list("Archive/", "%")[1])
m.subscribe("Archive/2024")
m.subscribe("Sent")
out["lsub"] = text(m.lsub()[1])
typ, data = m.append("Sent", "(\\Seen $Label1)", imaplib.Time2Internaldate(1700000000), b"Subject: kept\r\n\r\nsent by imaplib\r\n")
out["append"] = [typ] + text(data)
m.select("INBOX")
typ, data = m.uid("COPY", "1:*", "Archive/2024")
out["copy"] = typ
out["copy_copyuid"] = text(m.response("COPYUID")[1])
typ, data = m.uid("MOVE", "1:*", "Sent")
out["move"] = typ
out["move_copyuid"] = text(m.response("COPYUID")[1])
typ, data = m.select("Sent")
out["select_sent"] = [typ] + text(data)
out["flags"] = text(m.response("FLAGS")[1])
out["permanentflags"] = text(m.response("PERMANENTFLAGS")[1])
typ, data = m.uid("SEARCH", None, "KEYWORD", "$Label1")
out["search_keyword"] = text(data)
m.uid("STORE", "1", "+FLAGS", "(\\Deleted)")
typ, data = m.uid("EXPUNGE", "1")
out["uid_expunge"] = [typ] + text(data)
# CONDSTORE (RFC 7162) on what is left in Sent: one message, UID 2.
m.select("Sent (CONDSTORE)")
highest = int(text(m.response("HIGHESTMODSEQ")[1])[0])
out["highestmodseq"] = highest
out["fetch_modseq"] = text(m.uid("FETCH", "1:*", "(FLAGS MODSEQ)")[1])
typ, data = m.uid("STORE", "2", "(UNCHANGEDSINCE 1) +FLAGS", "(\\Seen)")
out["store_stale"] = [typ] + text(m.response("MODIFIED")[1])
typ, data = m.uid("STORE", "2", "(UNCHANGEDSINCE %d) +FLAGS" % highest, "(\\Seen)")
out["store_fresh"] = [typ] + text(data)
out["changedsince"] = text(m.uid("FETCH", "1:*", "(FLAGS)", "(CHANGEDSINCE %d)" % highest)[1])
out["changedsince_none"] = text(m.uid("FETCH", "1:*", "(FLAGS)", "(CHANGEDSINCE %d)" % (highest + 1))[1])
out["status_modseq"] = text(m.status("Sent", "(HIGHESTMODSEQ)")[1])
typ, data = m.status("Archive/2024", "(MESSAGES UIDNEXT UIDVALIDITY)")
out["status"] = text(data)
out["rename"] = m.rename("Archive", "Old")[0]
out["list_after_rename"] = text(m.list('""', "Old*")[1])
out["delete"] = m.delete("Entw&APw-rfe")[0]
out["select_deleted"] = m.select("Entw&APw-rfe")[0]
out["logout"] = m.logout()[0]
print(json.dumps(out))
