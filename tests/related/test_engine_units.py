"""Pure helpers of the engine (no database)."""

from __future__ import annotations

import pytest

from related import engine


def test_tag_idf_is_high_for_rare_tags_and_low_for_common_ones():
    assert engine.tag_idf(1, 1000) == pytest.approx(1.0)
    assert engine.tag_idf(400, 1000) < 0.2
    assert engine.tag_idf(1, 1000) > engine.tag_idf(10, 1000) > engine.tag_idf(400, 1000)


def test_recency_halves_the_decaying_share_every_half_life():
    weights = engine.Weights(half_life_days=100, recency_floor=0.2)
    assert engine.recency(0, weights) == pytest.approx(1.0)
    assert engine.recency(100, weights) == pytest.approx(0.2 + 0.8 * 0.5)
    assert engine.recency(-100, weights) == engine.recency(100, weights)
    assert engine.recency(10_000, weights) == pytest.approx(0.2, abs=1e-6)


def test_text_vector_ignores_markup_and_stopwords_and_is_normalised():
    counts = engine.term_counts(
        "The cartel", "", "<p onclick='x'>the cartel and its port</p>", engine.Weights()
    )
    assert "the" not in counts and "onclick" not in counts
    vector = engine.term_vector(counts, {}, 10, max_terms=24)
    assert sum(w * w for w in vector.values()) == pytest.approx(1.0)


def test_unknown_weight_override_fails_loudly():
    with pytest.raises(ValueError, match="unknown keys"):
        engine.weights_from({"grup": 2})
    assert engine.weights_from({"group": 5}).group == 5


def test_diversity_prefers_a_good_alternative_to_a_repeated_primary_tag():
    weights = engine.Weights(automatic=3, diversity=0.35)
    ranked = [
        engine.Suggestion(article_id=1, score=1.0, primary="g:1"),
        engine.Suggestion(article_id=2, score=0.95, primary="g:1"),
        engine.Suggestion(article_id=3, score=0.9, primary="g:1"),
        engine.Suggestion(article_id=4, score=0.7, primary="g:2"),
    ]
    chosen = [s.article_id for s in engine.diversify(ranked, [], weights)]
    assert chosen == [1, 4, 2]
    # A weak alternative does not displace strong stories.
    ranked[3].score = 0.1
    assert [s.article_id for s in engine.diversify(ranked, [], weights)] == [1, 2, 3]


def test_a_distant_strong_match_cannot_crowd_a_contemporary_one_out_of_the_shortlist():
    from related.rebuild import MemoryIndex

    weights = engine.Weights(shortlist=2)
    today = 20_000.0  # days since the epoch
    index = MemoryIndex({"en": 100}, {}, {})
    index.add_rows(
        [
            (1, "w:port", 1.0, "en", today),  # the source
            (2, "w:port", 1.0, "en", today - 3000),  # the strongest match, eight years away
            (3, "w:port", 0.5, "en", today),
            (4, "w:port", 0.45, "en", today + 1),
        ]
    )
    index.freeze()
    source = engine.Source(article_id=1, language="en", day=today, keys={"w:port": 1.0})

    scored = engine.score(source, index, weights)

    # By the sum alone the shortlist of two would be 2 and 3, and 4 (which outscores 2 once
    # recency counts) would never be scored.
    assert [s.article_id for s in scored] == [3, 4]
    assert scored[1].score > engine.recency(3000, weights) * weights.text
