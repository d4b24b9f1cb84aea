"""Letters delivered by e-mail: each recipient of a finished set gets its own letter, and
every message is recorded (sent at, to, Message-ID, status) so that a second `lettergen
send` of the same set sends only what was not sent.

- ``addresses``: the e-mail column's addresses, checked (pure);
- ``mailing``: what a set keeps for sending (mail.json: per letter its addressee, address,
  number, subject and files; never a password), written by the batch engine;
- ``message``: one recipient's message (Thai subject and body, its own files attached);
- ``journal``: the record of each message, in the register of record (SQLite);
- ``send``: a set sent through an SMTP server, at a limited rate, resumable.
"""
