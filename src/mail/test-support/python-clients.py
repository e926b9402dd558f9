# Python's smtplib and poplib against `torsion mail`, for interop.test.ts: one JSON object of findings on stdout.
import json, poplib, smtplib, ssl, sys

host, smtp_port, pop3_port, cafile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile)
out = {}

with smtplib.SMTP(host, smtp_port, local_hostname="py.example") as s:
    code, text = s.ehlo()
    out["ehlo"] = text.decode()
    try:
        s.login("alice", "secret")
        out["login_before_tls"] = "accepted"
    except smtplib.SMTPException as e:
        out["login_before_tls"] = type(e).__name__
    try:
        s.sendmail("spammer@other.example", ["victim@elsewhere.example"], "Subject: x\r\n\r\nx\r\n")
        out["relay"] = "accepted"
    except smtplib.SMTPRecipientsRefused as e:
        out["relay"] = [e.recipients["victim@elsewhere.example"][0], e.recipients["victim@elsewhere.example"][1].decode()]
    s.starttls(context=ctx)
    s.ehlo()
    out["ehlo_tls"] = s.esmtp_features.get("auth", "")
    s.login("alice", "secret")
    refused = s.sendmail("alice@example.test", ["alice@example.test", "nobody@example.test"], "Subject: from smtplib\r\n\r\nline\r\n.starts with a dot\r\n")
    out["refused"] = {k: [v[0], v[1].decode()] for k, v in refused.items()}
    try:
        s.sendmail("bob@example.test", ["friend@elsewhere.example"], "Subject: as bob\r\n\r\nx\r\n")
        out["as_other"] = "accepted"
    except smtplib.SMTPSenderRefused as e:
        out["as_other"] = [e.smtp_code, e.smtp_error.decode()]

p = poplib.POP3(host, pop3_port)
out["pop_welcome"] = p.getwelcome().decode()
out["capa_before"] = sorted(p.capa().keys())
p.stls(context=ctx)
p.user("alice")
p.pass_("secret")
count, size = p.stat()
out["stat"] = [count, size]
resp, listing, octets = p.list()
out["list"] = [l.decode() for l in listing]
resp, uidl, octets = p.uidl()
out["uidl_count"] = len(uidl)
resp, lines, octets = p.retr(1)
out["retr_octets"] = octets
out["retr"] = "\r\n".join(l.decode() for l in lines) + "\r\n"
resp, lines, octets = p.top(1, 0)
out["top"] = [l.decode() for l in lines]
p.dele(1)
out["quit"] = p.quit().decode()
print(json.dumps(out))
