"""Messages for people (search.messages.Message): English text that keeps its template
and values, so that the web pages can translate it; the CLI and the API print the English."""

import copy
import json
import pickle

import pytest

from search.cli import main
from search.documents import DocumentError, Skipped, load_folder
from search.errors import DariError, QueryError
from search.messages import Message
from search.query import parse_query
from search.request import SearchRequest
from search.uploads import UploadRejected, save_document_file


def test_a_message_is_its_english_text():
    m = Message("No document with id '%(id)s'.", id="report")
    assert m == "No document with id 'report'." and str(m) == m and f"{m}" == m
    assert isinstance(m, str) and type(str(m)) is str
    assert hash(m) == hash("No document with id 'report'.")
    assert {m: 1}["No document with id 'report'."] == 1
    assert m.template == "No document with id '%(id)s'." and m.params == {"id": "report"}
    assert json.dumps({"error": m}) == '{"error": "No document with id \'report\'."}'


def test_without_values_a_template_is_the_text_as_it_is():
    m = Message("Added the missing ')'.")
    assert m == "Added the missing ')'." and m.params == {}
    assert Message("100%") == "100%"  # no % formatting without values, as gettext


def test_values_are_put_in_as_given_and_may_be_messages():
    inner = Message("encrypted PDF (it needs a password to open)")
    outer = Message("The file cannot be read: %(reason)s.", reason=inner)
    assert outer == "The file cannot be read: encrypted PDF (it needs a password to open)."
    assert outer.params["reason"] is inner
    assert Message("%(a)s of %(b)s", a=f"{12345:,}", b=7) == "12,345 of 7"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_message_survives_pickling(protocol):
    inner = Message("its first bytes are of another kind")
    m = Message("not a %(kind)s file (%(looks)s): wrong ending?", kind="PDF", looks=inner)
    back = pickle.loads(pickle.dumps(m, protocol))
    assert type(back) is Message and back == m
    assert back.template == m.template and back.params == m.params
    assert type(back.params["looks"]) is Message
    assert back.params["looks"].template == inner.template
    skipped = pickle.loads(pickle.dumps(Skipped("bad.pdf", m), protocol))
    assert skipped.reason.template == m.template


def test_a_message_survives_copying():
    m = Message("Ignored '%(name)s:' without a value.", name="lang")
    for twin in (copy.copy(m), copy.deepcopy(m)):
        assert twin == m and twin.template == m.template and twin.params == m.params


def test_an_error_keeps_its_message_as_raised():
    m = Message("The query is too long (%(length)s characters; the limit is %(limit)s).")
    error = QueryError(m, param="q")
    assert error.message is m and str(error) == m and type(str(error)) is str
    assert DariError("plain text").message == "plain text"
    assert DariError().message == ""
    assert DariError(42).message == "42"


def test_library_errors_and_notes_are_messages():
    with pytest.raises(QueryError) as caught:
        SearchRequest("quantum", lang="xx")
    assert caught.value.message == "Unknown language 'xx': use one of ko, en, mixed."
    assert caught.value.message.template == "Unknown language '%(value)s': use one of %(values)s."
    with pytest.raises(QueryError) as caught:
        SearchRequest.from_params({"q": "x" * 1001}, strict=True)
    assert str(caught.value) == "The query is too long (1,001 characters; the limit is 1,000)."
    notes = parse_query('"quantum (cooperation').notes
    assert notes == ["Added the missing closing quote."]
    assert all(isinstance(note, Message) for note in notes)


def test_an_upload_refusal_quotes_the_document_s_reason_as_a_message(tmp_path):
    with pytest.raises(UploadRejected) as caught:
        save_document_file(tmp_path, "report.pdf", b"plain text, not a PDF")
    message = caught.value.message
    assert message == (
        "The file cannot be read: "
        "not a PDF file (its first bytes are of another kind): wrong ending?."
    )
    reason = message.params["reason"]
    assert isinstance(reason, Message) and reason.template.startswith("not a %(kind)s file")
    assert isinstance(reason.params["looks"], Message)


def test_a_skipped_file_s_reason_is_the_document_error_s_message(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "bad.md").write_text("# shadowed", "utf-8")
    skipped = [item for item in load_folder(tmp_path) if isinstance(item, Skipped)]
    reasons = {item.name: item.reason for item in skipped}
    assert reasons == {
        "bad.md": "same name as bad.txt, which is indexed instead",
        "bad.txt": "not a text file (contains NUL bytes)",
    }
    assert all(isinstance(reason, Message) for reason in reasons.values())
    with pytest.raises(DocumentError) as caught:
        raise DocumentError(reasons["bad.txt"])
    assert caught.value.message is reasons["bad.txt"]


def test_the_cli_says_its_messages_in_english(capsys, seed_index):
    code = main(["search", "--index", str(seed_index), "Gretchen", "Daejeon"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "note: No paragraph has all the words; showing those with any." in out
    code = main(["search", "--index", str(seed_index), "--doc", "nope", "quantum"])
    _, err = capsys.readouterr()
    assert code != 0 and err == "dari: No document with id 'nope'.\n"
