"""Property tests: whatever the query string, the API answers 200 or 400 with the described JSON."""

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60
) | st.sampled_from(["quantum", "양자기술", '"freedom of inquiry"', "-", "OR", "lang:ko", "doc:"])
NUMBER = st.integers(min_value=-5, max_value=200).map(str) | st.text(max_size=5)
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "q": TEXT,
        "page": NUMBER,
        "per_page": NUMBER,
        "lang": st.sampled_from(["ko", "en", "mixed", "", "KO", "xx"]),
        "doc": st.sampled_from(["003_f33e5257b7cf7671", "", "nope"]),
        "match": st.sampled_from(["all", "any", "", "most"]),
    },
)
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(params=PARAMS)
def test_api_search_answers_200_or_400_matching_the_openapi_schema(client, matches_openapi, params):
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    response = client.get(f"/api/search?{query}")
    assert response.status_code in (200, 400)
    matches_openapi("/api/search", response)


@FUZZ
@given(params=PARAMS)
def test_search_page_answers_200_or_400_without_raw_markup(client, params):
    params = {**params, "q": "<script>x</script>" + params.get("q", "")}
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    response = client.get(f"/search?{query}")
    assert response.status_code in (200, 400)
    assert "<script>x" not in response.get_data(as_text=True)


@FUZZ
@given(doc_id=TEXT)
def test_document_routes_answer_200_or_404(client, doc_id):
    path = quote(doc_id, safe="")
    for prefix in ("/doc/", "/api/docs/"):
        assert client.get(prefix + path).status_code in (200, 404)
