#!/usr/bin/env python3
"""check_html.py FILE: strict well-formedness of an ncgsim report.

Parses FILE with Python's html.parser and fails (exit 1, one line per
problem) on: an end tag that does not close the innermost open element,
elements left open, a duplicate id, an in-page link (href="#x") or
aria-describedby naming no id, and anything that would load another file
or URL (src=, an href that is not "#...", url( that is not url(#...),
@import, <link>, <script src>, <iframe>, <object>, <embed>, <img>).
"""
import re
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}
LOADERS = {"link", "iframe", "object", "embed", "img", "audio", "video",
           "frame", "image"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.ids, self.refs = [], [], set(), []

    def where(self):
        return "line %d" % self.getpos()[0]

    def attrs(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name == "id":
                if value in self.ids:
                    self.problems.append("%s: duplicate id %r" % (self.where(), value))
                self.ids.add(value)
            if name in ("href", "xlink:href"):
                if not value.startswith("#"):
                    self.problems.append("%s: <%s> links outside the page: %r" % (self.where(), tag, value))
                else:
                    self.refs.append((self.where(), value[1:]))
            if name == "aria-describedby":
                for ref in value.split():
                    self.refs.append((self.where(), ref))
            if name in ("src", "srcset", "data", "action", "formaction", "poster"):
                self.problems.append("%s: <%s %s=%r> loads a file" % (self.where(), tag, name, value))
            for m in re.finditer(r"url\(\s*['\"]?([^)'\"]*)", value):
                if not m.group(1).startswith("#"):
                    self.problems.append("%s: url(%s) in an attribute" % (self.where(), m.group(1)))
        if tag in LOADERS:
            self.problems.append("%s: <%s> element" % (self.where(), tag))

    def handle_starttag(self, tag, attrs):
        self.attrs(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.attrs(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append("%s: </%s> closes <%s>" % (
                self.where(), tag, self.stack[-1] if self.stack else "nothing"))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style":
            for m in re.finditer(r"url\(\s*['\"]?([^)'\"]*)", data):
                if not m.group(1).startswith("#"):
                    self.problems.append("%s: url(%s) in the style" % (self.where(), m.group(1)))
            if "@import" in data:
                self.problems.append("%s: @import in the style" % self.where())


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    c = Checker()
    c.feed(text)
    c.close()
    if c.stack:
        c.problems.append("end of file: left open: %s" % " ".join(c.stack))
    for where, ref in c.refs:
        if ref not in c.ids:
            c.problems.append("%s: reference to a missing id %r" % (where, ref))
    if not text.lstrip().lower().startswith("<!doctype html>"):
        c.problems.append("no <!DOCTYPE html> at the start")
    for p in c.problems:
        print(p)
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())
