"""Assemble the report model from systems' outputs (or precomputed results).

The steps are generic over every metric: score each system with the same
configured metric (keeping its statistics rows), compare each system with the
first on those rows (paired tests, Holm-corrected together, with what the test
set could detect), and read tables, plots and low-scoring examples from
``Result.details`` and ``Result.per_example``.  Names, scales and the words of
the task (summaries, translations...) come from the metric cards.  Warnings the
metrics raise while a system is scored are recorded for the report's notes (and
still reach the caller).

The report says each thing once: a first-page summary (what was evaluated,
each metric's main score, the verdicts) a manager reads in a minute, then the
detail; each caveat once per metric, each table once per system.
"""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError
from nlpmetrics.explanations import nouns, score_scale, task_name
from nlpmetrics.reporting import details as dt
from nlpmetrics.reporting.compare import (
    MetricComparison,
    compare_rows,
    metric_variants,
    resolve_metrics,
    same_references,
    unpack_system,
    variant_label,
)
from nlpmetrics.reporting.guards import (
    coded_warning,
    recorded_warnings,
    reemit,
    sample_warnings,
    signature_difference,
)
from nlpmetrics.reporting.model import (
    AppendixRow,
    ComparisonRow,
    Matrix,
    MetricSection,
    MetricWarning,
    PlotSpec,
    Report,
    SystemInfo,
    SystemValue,
    Table,
    WorstExamples,
)
from nlpmetrics.reporting.text import (
    alpha_text,
    capital,
    holm_level_text,
    interval_text,
    join_names,
    key_name,
    metric_title,
    p_cell,
    phrase,
    power_sentences,
    safe_card,
    signed_difference,
    signed_interval_text,
    value_text,
    verdict_cell,
    verdict_key,
    verdict_sentence,
)
from nlpmetrics.reporting.verdicts import Verdict, judge


@dataclass
class _Scored:
    """One system's outcome on one metric, with what the report needs beside the result."""

    result: Any
    rows: Mapping[str, np.ndarray] | None
    predictions: Sequence | None
    references: Sequence | None
    #: ``(category name, code, message)`` of each distinct warning raised while scoring, in order.
    warnings: tuple[tuple[str, str, str], ...] = ()


def _is_precomputed(systems: Mapping[str, Any]) -> bool:
    from nlpmetrics.result import Result

    kinds = {isinstance(v, Mapping) and all(isinstance(r, Result) for r in v.values()) for v in systems.values()}
    if len(kinds) > 1:
        raise InputError("systems mixes precomputed results and (predictions, references) pairs; use one kind")
    return kinds.pop()


def _score(systems: Mapping[str, Any], metrics: list, labels: list[str], confidence: float, n_resamples: int,
           seed: int) -> dict[str, dict[str, _Scored]]:
    """Each system through one metric collection (its examples checked and converted once for every metric)."""
    from nlpmetrics.collection import MetricCollection

    scored: dict[str, dict[str, _Scored]] = {}
    for name, system in systems.items():
        predictions, references = (list(x) for x in unpack_system(system, name))
        collection = MetricCollection({label: template.empty_like()
                                       for template, label in zip(metrics, labels, strict=True)})
        updating: dict[str, list] = {}  # the warnings each metric raised, for the report's notes
        try:
            rows_of = collection.rows_for(predictions=predictions, references=references, warnings_of=updating)
        finally:
            for record in (r for records in updating.values() for r in records):
                reemit(record)  # they still reach the caller, as unwrapped
        collection.add_rows(rows_of)
        scored[name] = {}
        for label, metric in collection.items():
            with recorded_warnings() as caught:
                rows = metric.rows()
                result = metric.compute(confidence=confidence, n_resamples=n_resamples, seed=seed)
            raised = tuple(dict.fromkeys((w.category.__name__, getattr(w.message, "code", ""), str(w.message))
                                         for w in [*updating.get(label, []), *caught]))
            scored[name][label] = _Scored(result, rows, predictions, references, raised)
    return scored


def _precomputed(systems: Mapping[str, Mapping[str, Any]], metrics: Sequence[Any]) -> dict[str, dict[str, _Scored]]:
    if isinstance(metrics, str):
        metrics = [metrics]
    names = [m if isinstance(m, str) else m.name for m in metrics] if metrics else None
    scored: dict[str, dict[str, _Scored]] = {}
    for system, results in systems.items():
        wanted = names or list(results)
        missing = [m for m in wanted if m not in results]
        if missing:
            raise InputError(f"system {system!r} has no result for {', '.join(missing)} (it has {', '.join(results)})")
        scored[system] = {m: _Scored(results[m], None, None, None) for m in wanted}
    return scored


def infer_task(metric_names: Sequence[str]) -> str:
    """Infer the task whose nouns a report uses, from its metrics' usual tasks (their cards' ``task``).

    One task among the metrics (ROUGE alone: summaries) is the report's; none,
    or several (BLEU and ROUGE together may score summaries or translations),
    give the neutral ``"text"`` (outputs, reference texts).  ``--task`` says it
    outright.
    """
    from nlpmetrics.explanations.cards import read_card_data

    tasks = {(read_card_data(name, "en") or {}).get("task", "text") for name in metric_names} - {"text"}
    return tasks.pop() if len(tasks) == 1 else "text"


def build_report(
    systems: Mapping[str, Any],
    *,
    metrics: Sequence[Any],
    lang: str = "en",
    title: str | None = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
    worst: int = 5,
    task: str | None = None,
) -> Report:
    """Score (or take) every system's results and assemble the :class:`Report`; see :func:`report`."""
    from nlpmetrics import __version__
    from nlpmetrics.explanations import check_lang, check_task
    from nlpmetrics.resampling import check_resampling

    check_lang(lang)
    check_task(task)
    check_resampling(confidence, n_resamples)
    if not isinstance(systems, Mapping) or not systems:
        raise InputError("systems must be a non-empty mapping of display name -> (predictions, references)")
    if not isinstance(worst, int) or worst < 0:
        raise InputError(f"worst={worst!r} must be a non-negative number of examples")
    precomputed = _is_precomputed(systems)
    templates: list = []
    variants: dict[str, str] = {}
    if precomputed:
        scored = _precomputed(systems, metrics)
        for label, item in next(iter(scored.values())).items():
            variants[label] = "" if label == item.result.metric else label
    else:
        templates = resolve_metrics(metrics)
        for template, variant in zip(templates, metric_variants(templates), strict=True):
            variants[variant_label(template.name, variant)] = variant
        scored = _score(systems, templates, list(variants), confidence, n_resamples, seed)
    names = [str(n) for n in systems]
    scored = {str(k): v for k, v in scored.items()}
    metric_names = list(variants)
    first_system = scored[names[0]]
    task = task or infer_task([item.result.metric for item in first_system.values()])
    report_confidence = next(
        (s.result.confidence for by_metric in scored.values() for s in by_metric.values() if s.result.confidence),
        confidence,
    )

    warnings: list[str] = []
    comparisons, comparison_intro = _comparisons(scored, names, templates, variants, precomputed, confidence,
                                                 n_resamples, seed, lang, warnings)
    verdicts = judge(((names[0], other, comparison) for label in metric_names
                      for other, comparison in comparisons.get(label, [])), alpha=1.0 - report_confidence)
    if comparisons:
        m = max((v.comparisons for v in verdicts), default=1)
        holm = phrase("comparison_holm", lang, m=m, alpha=alpha_text(1.0 - report_confidence, lang)) if m > 1 else \
            phrase("comparison_holm_one", lang)
        comparison_intro = phrase("comparison_intro", lang, baseline=names[0],
                                  holm=holm + (" " if lang == "en" else ""),
                                  alpha=holm_level_text(1.0 - report_confidence, m, lang))
    titles = _titles(scored[names[0]], variants, lang, task)
    seen_tables: dict[tuple, str] = {}
    sections = [
        _section(label, titles[label], scored, names, lang, worst, precomputed, task, seen_tables)
        for label in metric_names
    ]
    warnings += sample_warnings([(name, titles[label], scored[name][label].result,
                                  score_scale(scored[name][label].result.metric,
                                              next(iter(scored[name][label].result.scores))))
                                 for label in metric_names for name in names], lang)
    warnings += _not_comparable(scored, names, metric_names, titles, lang)
    coded, metric_warnings = _metric_warnings(scored, names, metric_names, titles, lang)
    warnings = coded + warnings

    return Report(
        title=title or phrase("default_title", lang),
        lang=lang,
        generated=phrase("generated", lang, version=__version__,
                         date=_dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
        confidence=report_confidence,
        systems=tuple(
            SystemInfo(name=n, n=next(iter(scored[n].values())).result.n,
                       source=phrase("precomputed", lang) if precomputed else "")
            for n in names
        ),
        summary=tuple(_summary(sections, verdicts, names, report_confidence, lang, task)),
        warnings=tuple(dict.fromkeys(warnings)),
        sections=tuple(sections),
        comparison_intro=comparison_intro,
        comparison_rows=tuple(_comparison_rows(verdicts, lang)),
        how_to_read=tuple(_how_to_read(verdicts, lang)),
        appendix_intro=phrase("appendix_intro", lang),
        appendix=tuple(
            AppendixRow(system=n, metric=m, n=scored[n][m].result.n, signature=str(scored[n][m].result.signature))
            for n in names for m in metric_names
        ),
        versions=tuple(_versions(first_system)),
        forest=_forest(sections, lang, report_confidence) if len(names) > 1 else None,
        metric_warnings=tuple(metric_warnings),
        comparison_method=next((f"paired:{c.signature.resampling['paired']}" for pairs in comparisons.values()
                                for _, c in pairs), ""),
        task=task,
        verdicts=tuple(verdicts),
    )


def _titles(first: Mapping[str, _Scored], variants: Mapping[str, str], lang: str, task: str) -> dict[str, str]:
    """Return each metric's heading: its card's title under its options (``Macro-F1``).

    The variant is added only when two metrics of the report would otherwise share a title.
    """
    titles = {label: metric_title(item.result.metric, lang, item.result.options, task) for label, item in first.items()}
    counts: dict[str, int] = {}
    for title in titles.values():
        counts[title] = counts.get(title, 0) + 1
    return {label: title + (f" ({variants[label]})" if counts[title] > 1 and variants[label] else "")
            for label, title in titles.items()}


def _comparisons(scored, names, templates, variants, precomputed, confidence, n_resamples, seed, lang,
                 warnings) -> tuple[dict[str, list[tuple[str, MetricComparison]]], str]:
    """Paired tests of every system against the first, per metric (empty with a note when impossible)."""
    if len(names) < 2:
        return {}, phrase("no_comparison_single", lang)
    if precomputed:
        return {}, phrase("no_comparison_results", lang)
    baseline = names[0]
    found: dict[str, list[tuple[str, MetricComparison]]] = {}
    for other in names[1:]:
        base_any, other_any = next(iter(scored[baseline].values())), next(iter(scored[other].values()))
        if not same_references(base_any.references, other_any.references):
            warnings.append(phrase("warn_references", lang, a=baseline, b=other))
            continue
        for template, (label, variant) in zip(templates, variants.items(), strict=True):
            comparison = compare_rows(template, scored[baseline][label].rows, scored[other][label].rows,
                                      confidence=confidence, n_resamples=n_resamples, seed=seed, variant=variant)
            found.setdefault(label, []).append((other, comparison))
    return found, phrase("comparison_intro", lang, baseline=baseline, holm="", alpha=alpha_text(1.0 - confidence, lang))


def _how_to_read(verdicts: Sequence[Verdict], lang: str) -> list[str]:
    """Return the bullets of "How to read this report".

    Those on the paired test, p-values, Holm's correction and detectable differences only when the
    report compares systems (Holm's only for several comparisons).
    """
    items = phrase("how_to_read_items", lang).split("\n")
    if verdicts:
        items += phrase("how_to_read_comparison", lang).split("\n")
        if max(v.comparisons for v in verdicts) > 1:
            items.append(phrase("how_to_read_holm", lang))
        items += phrase("how_to_read_power", lang).split("\n")
    return [*items, phrase("how_to_read_examples", lang)]


def _not_comparable(scored, names, metric_names, titles, lang) -> list[str]:
    warnings = []
    for metric in metric_names:
        base = scored[names[0]][metric].result
        for other in names[1:]:
            detail = signature_difference(base.signature, scored[other][metric].result.signature)
            if detail:
                warnings.append(phrase("warn_not_comparable", lang, metric=titles[metric], a=names[0], b=other,
                                       detail=detail))
    return warnings


def _metric_warnings(scored, names, metric_names, titles, lang) -> tuple[list[str], list[MetricWarning]]:
    """Collect the warnings raised while scoring, each said once with every system it concerns.

    A warning whose code has a sentence in the report's language is said in it;
    any other is shown in the metric's own (English) words.
    """
    grouped: dict[tuple[str, str, str, str], list[str]] = {}
    for label in metric_names:
        for name in names:
            for category, code, message in scored[name][label].warnings:
                grouped.setdefault((label, category, code, message), []).append(name)
    coded: dict[tuple[str, str], list[str]] = {}
    shown: list[MetricWarning] = []
    for (label, category, code, message), systems in grouped.items():
        if coded_warning(code, lang, names="", metric="") is not None:
            coded.setdefault((label, code), [])
            coded[(label, code)] += [s for s in systems if s not in coded[(label, code)]]
            continue
        lead = phrase("warn_metric_lead", lang, names=join_names(systems, lang), metric=titles[label],
                      verb=phrase("verb_many" if len(systems) > 1 else "verb_one", lang))
        shown.append(MetricWarning(system=systems[0], metric=titles[label], category=category, message=message,
                                   code=code, lead=lead))
    said = [coded_warning(code, lang, names=join_names(systems, lang), metric=titles[label])
            for (label, code), systems in coded.items()]
    return [s for s in said if s], shown


def _values_table(values: Sequence[tuple[str, Any]], lang: str) -> Table:
    """Every score of every system: one row per score, one column per system (value and interval)."""
    first = values[0][1]
    keys = list(first.scores)
    systems = [name for name, _ in values]
    rows = []
    for key in keys:
        scale = score_scale(first.metric, key)
        cells = [capital(key_name(first.metric, key, lang, first.options), lang)]
        for _, result in values:
            value = value_text(result.scores.get(key, float("nan")), scale)
            interval = result.ci.get(key) if result.ci else None
            cells.append(f"{value} ({interval_text(interval, scale, lang)})" if interval else value)
        rows.append(tuple(cells))
    confidence = next((r.confidence for _, r in values if r.confidence), None)
    interval = phrase("interval", lang, confidence=f"{confidence * 100:.0f}%") if confidence else ""
    heading = phrase("score", lang) + ((f"（{interval}）" if lang == "ja" else f" ({interval})") if interval else "")
    return Table(title="", columns=(heading, *systems), rows=tuple(rows))


def _once(table: Table, system: str, title: str, seen: dict[tuple, str]) -> str | None:
    """``None`` the first time a system's table is shown, else the title of the section that shows it."""
    identity = (system, table.title, table.columns, table.rows)
    if identity in seen:
        return seen[identity]
    seen[identity] = title
    return None


def _same_tables(repeated: Sequence[tuple[str, str, str]], lang: str) -> list[str]:
    """One note per earlier section whose tables this section would repeat (``(section, table title, system)``)."""
    by_section: dict[str, list[str]] = {}
    for section, table, system in repeated:
        by_section.setdefault(section, []).append(f"{table} — {system}")
    return [phrase("same_tables", lang, section=section, titles=join_names(titles, lang))
            for section, titles in by_section.items()]


def _table_heading(name: str, columns: Mapping[str, Any], lang: str) -> str:
    if name == "per_class" or "label" in columns or "class" in columns:
        return phrase("per_class", lang)
    if name == "per_type":
        return phrase("per_type", lang)
    return phrase("breakdown", lang)


def _section(label, title, scored, names, lang, worst, precomputed, task, seen_tables):
    first = scored[names[0]][label].result
    metric = first.metric
    higher, _ = _metric_info(metric)
    card = safe_card(metric, lang, task)
    words = nouns(task, lang)
    values, tables, matrices, notes = [], [], [], []
    plots: list[PlotSpec] = []
    worst_blocks = []
    distribution: dict[str, np.ndarray] = {}
    curves: dict[str, dict[str, dict]] = {}
    example_key = None
    for name in names:
        item = scored[name][label]
        result = item.result
        key = next(iter(result.scores))
        scale = score_scale(metric, key)
        interval = result.ci.get(key) if result.ci else None
        values.append(SystemValue(
            system=name, key=key, key_name=key_name(metric, key, lang, result.options), value=result.scores[key],
            value_text=value_text(result.scores[key], scale), interval=interval,
            interval_text=interval_text(interval, scale, lang), n=result.n,
            explanation=_in_words(result, lang, task) if card else "", scale=scale,
        ))
        for table_name, columns in dt.column_tables(result.details).items():
            table = dt.to_table(_table_heading(table_name, columns, lang), columns, lang, metric)
            shown_in = _once(table, name, title, seen_tables)
            if shown_in:
                notes.append((shown_in, table.title, name))
                continue
            tables.append((name, table))
            plot = dt.per_class_plot(columns, lang)
            if plot is not None:
                plots.append(PlotSpec(plot.kind, f"{plot.title} — {name}", plot.data))
        for _, (labels, counts) in dt.matrices(result.details).items():
            labels, counts = dt.largest_classes(labels, counts)
            table = dt.matrix_table(phrase("confusion", lang), labels, counts, lang)
            shown_in = _once(table, name, title, seen_tables)
            if shown_in:
                notes.append((shown_in, table.title, name))
                continue
            matrices.append(Matrix(system=name, table=table, plot=PlotSpec(
                "confusion", f"{phrase('plot_confusion', lang)} — {name}",
                {"labels": [str(x) for x in labels], "counts": np.asarray(counts)})))
        for curve_name, curve in dt.curves(result.details).items():
            curves.setdefault(curve_name, {})[name] = curve
        if scale == "coefficient" and item.predictions is not None:
            x, y = dt.numeric(item.predictions), dt.numeric(item.references)
            if x is not None and y is not None:
                plots.append(PlotSpec("scatter", f"{phrase('plot_scatter', lang)} — {name}", {"x": x, "y": y}))
        example_key = dt.example_key(result.per_example, key)
        if example_key is None:
            continue
        example_scale = score_scale(metric, example_key)
        per_example = np.asarray(result.per_example[example_key], dtype=float)
        example_name = key_name(metric, example_key, lang, result.options)
        if not dt.is_graded(per_example):
            wrong = int(np.count_nonzero(per_example == 0))
            if _lists_wrong_examples(metric) and wrong and item.predictions is not None and worst > 0:
                examples = dt.wrong_examples(per_example, item.predictions, item.references, count=worst,
                                             scale=example_scale)
                worst_blocks.append(WorstExamples(system=name, examples=examples, intro=phrase(
                    "wrong_intro", lang, count=len(examples), wrong=wrong, n=result.n, name=name, key=example_name)))
            continue
        distribution[name] = per_example
        if item.predictions is not None and worst > 0:
            examples = dt.worst_examples(per_example, item.predictions, item.references, count=worst,
                                         higher_is_better=higher, scale=example_scale)
            worst_blocks.append(WorstExamples(
                system=name,
                intro=phrase("worst_intro", lang, count=len(examples), name=name, key=example_name),
                examples=examples,
            ))
    if distribution and example_key is not None:
        plots.append(dt.distribution_plot(distribution, example_key, lang, metric, first.options))
    plots.extend(dt.curve_plot(by_system, lang, metric) for by_system in curves.values())
    single = len(names) == 1
    return MetricSection(
        metric=metric,
        label=label,
        title=title,
        what=card.what if card else phrase("no_card", lang),
        how_to_read=card.how_to_read if card else "",
        caveats=card.caveats if card else (),
        values=tuple(values),
        values_table=_values_table([(n, scored[n][label].result) for n in names], lang),
        in_words=values[0].explanation if single else "",
        tables=tuple(tables),
        matrices=tuple(matrices),
        plots=tuple(plots),
        worst=tuple(worst_blocks),
        worst_note=phrase("worst_unavailable", lang) if precomputed and worst > 0 else "",
        notes=tuple(_same_tables(notes, lang)),
        columns=(words["column_output"], words["column_reference"]),
    )


def _in_words(result: Any, lang: str, task: str) -> str:
    """Return the card's sentence about the value (what was measured, how well), without the interval or caveats."""
    from nlpmetrics.explanations import value_sentence

    return value_sentence(result, lang, task)


def _metric_info(name: str) -> tuple[bool, float]:
    from nlpmetrics.registry import metric_class

    cls = metric_class(name)
    return cls.higher_is_better, float(cls.bounds[0])


def _lists_wrong_examples(metric: str) -> bool:
    """Whether the metric asks reports to list its wrong examples (``report_wrong_examples`` on its class)."""
    from nlpmetrics.registry import metric_class

    return bool(getattr(metric_class(metric), "report_wrong_examples", False))


def comparison_table(verdicts: Sequence[Verdict], lang: str, title: str = "") -> Table:
    """Both systems' scores, the difference, its interval, the p-values and the verdict of one pair of systems."""
    if not verdicts:
        return Table(title=title, columns=(), rows=())
    first = verdicts[0]
    confidence = f"{first.test.confidence * 100:.0f}%"
    columns = (phrase("score", lang), first.a, first.b, phrase("difference", lang),
               phrase("interval", lang, confidence=confidence), phrase("p_value", lang), phrase("p_holm", lang),
               phrase("verdict", lang), phrase("detectable", lang))
    rows = []
    for v in verdicts:
        scale = score_scale(v.metric, v.key)
        t = v.test
        detectable = v.sensitivity.detectable
        rows.append((capital(verdict_key(v, lang), lang), value_text(t.a, scale), value_text(t.b, scale),
                     signed_difference(t.difference, scale), signed_interval_text(t.interval, scale),
                     p_cell(t.p_value, t.n_resamples), "" if v.duplicate_of else p_cell(v.p_adjusted, t.n_resamples),
                     verdict_cell(v, lang),
                     "" if v.duplicate_of or not detectable > 0 else signed_difference(detectable, scale).lstrip("+")))
    return Table(title=title, columns=columns, rows=tuple(rows))


def _comparison_rows(verdicts: Sequence[Verdict], lang: str):
    for v in verdicts:
        scale = score_scale(v.metric, v.key)
        t = v.test
        detectable = v.sensitivity.detectable
        yield ComparisonRow(
            metric=v.metric,
            metric_title=metric_title(v.metric, lang, v.options),
            key_name=verdict_key(v, lang),
            a=v.a,
            b=v.b,
            a_text=value_text(t.a, scale),
            b_text=value_text(t.b, scale),
            difference_text=signed_difference(t.difference, scale),
            interval_text=signed_interval_text(t.interval, scale),
            p_value=t.p_value,
            p_text=p_cell(t.p_value, t.n_resamples),
            sentence=verdict_sentence(v, lang),
            main=v.main,
            p_adjusted=v.p_adjusted,
            p_adjusted_text="" if v.duplicate_of else p_cell(v.p_adjusted, t.n_resamples),
            significant=v.significant,
            verdict_text=verdict_cell(v, lang),
            detectable_text="" if v.duplicate_of or not detectable > 0 else
            signed_difference(detectable, scale).lstrip("+"),
            duplicate=v.duplicate_of,
            power=tuple(power_sentences(v, lang)),
        )


def _headline(section: MetricSection, confidence: float, lang: str) -> str:
    """One metric's main score for every system, with its interval, in one sentence."""
    confidence_text = f"{confidence * 100:.0f}%"
    values = section.values
    name = values[0].key_name
    name = capital(name, lang)  # opening a sentence: Accuracy, Macro-F1; chrF and nDCG@10 keep their spelling
    if len(values) == 1:
        value = values[0]
        if value.interval_text:
            return phrase("headline_one", lang, key=name, value=value.value_text, interval=value.interval_text,
                          confidence=confidence_text)
        return phrase("headline_one_plain", lang, key=name, value=value.value_text)
    items = []
    for position, value in enumerate(values):
        if not value.interval_text:
            items.append(phrase("headline_item_plain", lang, name=value.system, value=value.value_text))
        elif position == 0:
            items.append(phrase("headline_first", lang, name=value.system, value=value.value_text,
                                interval=value.interval_text, confidence=confidence_text))
        else:
            items.append(phrase("headline_item", lang, name=value.system, value=value.value_text,
                                interval=value.interval_text))
    return phrase("headline_many", lang, key=name, items=join_names(items, lang))


def _summary(sections, verdicts: Sequence[Verdict], names, confidence: float, lang: str, task: str) -> list[str]:
    """Return the first page: what was evaluated, each metric's main score, the verdicts.

    After the overall verdict comes each main comparison in words, and for a difference not found, what the
    test set could detect and the examples it would need.
    """
    metrics = join_names([_short(s.title) for s in sections], lang)
    n = sections[0].values[0].n if sections else 0
    what = phrase("overview_task", lang, task=task_name(task, lang))
    if len(names) == 1:
        lines = [phrase("overview_one", lang, name=names[0], n=n, task=what, metrics=metrics)]
    else:
        lines = [phrase("overview_many", lang, count=len(names), n=n, task=what, metrics=metrics, baseline=names[0])]
    lines += [_headline(section, confidence, lang) for section in sections]
    main = [v for v in verdicts if v.main]
    for other in names[1:]:
        mine = [v for v in main if v.b == other]
        if mine:
            lines.append(_overall(mine, names[0], other, lang))
    for verdict in main:
        lines.append(verdict_sentence(verdict, lang))
        if not verdict.significant:
            power = power_sentences(verdict, lang)
            if power:
                lines.append(("" if lang == "ja" else " ").join(power))
    return lines



def _short(title: str) -> str:
    """Return a card's title without its explanation in brackets: ``ROUGE (word overlap ...)`` -> ``ROUGE``."""
    for bracket in (" (", "（"):
        head = title.split(bracket, 1)[0]
        if head and head != title:
            return head
    return title


def _overall(verdicts: Sequence[Verdict], baseline: str, other: str, lang: str) -> str:
    """One sentence: on how many metrics ``other`` is significantly better or worse than the baseline (no "0 of")."""
    total = len(verdicts)
    better = sum(v.significant and v.direction == "better" for v in verdicts)
    worse = sum(v.significant and v.direction == "worse" for v in verdicts)
    rest = total - better - worse
    parts: list[tuple[str, str]] = []  # (kind, clause): "rest" clauses stand apart from the better/worse ones
    if better == total:
        parts.append(("count", phrase("overall_better_all", lang, total=total)))
    elif better:
        parts.append(("count", phrase("overall_better", lang, k=better, total=total)))
    if better < total:
        if worse == total:
            parts.append(("count", phrase("overall_worse_all", lang, total=total)))
        elif worse:
            parts.append(("count", phrase("overall_worse" if better else "overall_worse_first", lang, k=worse,
                                          total=total)))
        elif better:
            parts.append(("count", phrase("overall_worse_none", lang)))
        if rest == total:
            parts.append(("count", phrase("overall_rest_all", lang, total=total)))
        elif rest:
            parts.append(("rest", phrase("overall_rest", lang, k=rest)))
    m = max((v.comparisons for v in verdicts), default=1)
    holm = phrase("overall_holm", lang, m=m) if m > 1 else phrase("overall_holm_one", lang)
    return phrase("overall", lang, a=baseline, b=other, parts=_join_clauses(parts, lang),
                  what=phrase("overall_what", lang), holm=holm)


def _join_clauses(parts: Sequence[tuple[str, str]], lang: str) -> str:
    """``better and worse; rest`` (Japanese: 「…優れ、…劣ります。残る…」)."""
    text = ""
    for position, (kind, clause) in enumerate(parts):
        if position:
            if kind == "rest":
                text += "。" if lang == "ja" else "; "
            else:
                text += "、" if lang == "ja" else " and "
        text += clause
    return text


def _versions(first_system: Mapping[str, _Scored]) -> list[tuple[str, str]]:
    import numpy

    from nlpmetrics import __version__
    from nlpmetrics.registry import metric_class
    from nlpmetrics.versions import module_version

    versions = [("nlpmetrics", __version__), ("python", platform.python_version()), ("numpy", numpy.__version__)]
    for item in first_system.values():
        for module in metric_class(item.result.metric).reference_modules:
            if module not in dict(versions):
                versions.append((module, module_version(module)))
    return versions


def _forest(sections, lang, confidence) -> PlotSpec:
    """Each metric's main score per system with its interval (one panel per metric), on the score's scale."""
    panels = []
    for section in sections:
        scale = section.values[0].scale
        panels.append({
            "title": section.values[0].key_name,
            "percent": scale == "percent",
            "scale": scale,
            "rows": [{"label": v.system, "value": v.value, "interval": v.interval} for v in section.values],
        })
    return PlotSpec("forest", phrase("plot_forest", lang, confidence=f"{confidence * 100:.0f}%"), {"panels": panels})
