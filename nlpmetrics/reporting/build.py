"""Assemble the report model from systems' outputs (or precomputed results).

The steps are generic over every metric: score each system with the same
configured metric (keeping its statistics rows), compare each system with the
first on those rows (paired tests), and read tables, plots and low-scoring
examples from ``Result.details`` and ``Result.per_example``.  Warnings the
metrics raise while a system is scored are recorded for the report's notes
(and still reach the caller).
"""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlpmetrics.errors import InputError
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
    result_warnings,
    signature_difference,
)
from nlpmetrics.reporting.model import (
    AppendixRow,
    ComparisonRow,
    MetricSection,
    MetricWarning,
    PlotSpec,
    Report,
    SystemInfo,
    SystemValue,
    WorstExamples,
)
from nlpmetrics.reporting.text import (
    SELDOM_P,
    comparison_sentence,
    interval_text,
    metric_title,
    p_cell,
    phrase,
    resolution_sentence,
    safe_card,
    score_name,
    signed_difference,
    signed_interval_text,
    value_text,
)


@dataclass
class _Scored:
    """One system's outcome on one metric, with what the report needs beside the result."""

    result: Any
    rows: Mapping[str, np.ndarray] | None
    predictions: Sequence | None
    references: Sequence | None
    #: ``(category name, code, message)`` of each distinct warning raised while scoring, in order.
    warnings: tuple[tuple[str, str], ...] = ()


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


def _metric_info(name: str) -> tuple[bool, float]:
    from nlpmetrics.registry import metric_class

    cls = metric_class(name)
    return cls.higher_is_better, float(cls.bounds[0])


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
) -> Report:
    """Score (or take) every system's results and assemble the :class:`Report`; see :func:`report`."""
    from nlpmetrics import __version__
    from nlpmetrics.explanations import check_lang
    from nlpmetrics.resampling import check_resampling

    check_lang(lang)
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

    warnings: list[str] = []
    comparisons, comparison_intro = _comparisons(scored, names, templates, variants, precomputed, confidence,
                                                 n_resamples, seed, lang, warnings)
    sections = [
        _section(label, variants[label], scored, names, comparisons.get(label, []), lang, worst, precomputed, warnings)
        for label in metric_names
    ]
    warnings += _not_comparable(scored, names, metric_names, lang)
    titles = {section.label: section.title for section in sections}
    metric_warnings = []
    for name in names:
        for label in metric_names:
            for category, code, message in scored[name][label].warnings:
                said = coded_warning(code, lang, name=name, metric=titles[label])
                if said is not None:
                    warnings.append(said)
                    continue
                metric_warnings.append(MetricWarning(system=name, metric=titles[label], category=category,
                                                     message=message, code=code,
                                                     lead=phrase("warn_metric_lead", lang, name=name,
                                                                 metric=titles[label])))

    report_confidence = next(
        (s.result.confidence for by_metric in scored.values() for s in by_metric.values() if s.result.confidence),
        confidence,
    )
    summary = _summary(sections, comparisons, names, report_confidence, lang)
    first_system = scored[names[0]]
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
        summary=tuple(summary),
        warnings=tuple(dict.fromkeys(warnings)),
        sections=tuple(sections),
        comparison_intro=comparison_intro,
        comparison_rows=tuple(_comparison_rows(comparisons, names[0], lang)),
        how_to_read=tuple(phrase("how_to_read_items", lang).split("\n")),
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
    )


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
    return found, phrase("comparison_intro", lang, baseline=baseline)


def _not_comparable(scored, names, metric_names, lang) -> list[str]:
    warnings = []
    for metric in metric_names:
        base = scored[names[0]][metric].result
        for other in names[1:]:
            detail = signature_difference(base.signature, scored[other][metric].result.signature)
            if detail:
                warnings.append(phrase("warn_not_comparable", lang, metric=metric, a=names[0], b=other,
                                       detail=detail))
    return warnings


def _section(label, variant, scored, names, comparisons, lang, worst, precomputed, warnings):
    metric = scored[names[0]][label].result.metric
    higher, low_bound = _metric_info(metric)
    card = safe_card(metric, lang)
    title = (card.title if card else metric) + (f" ({variant})" if variant else "")
    values = []
    tables = []
    plots: list[PlotSpec] = []
    worst_blocks = []
    distribution: dict[str, np.ndarray] = {}
    curves: dict[str, dict[str, dict]] = {}
    example_key = None
    for name in names:
        item = scored[name][label]
        result = item.result
        key = next(iter(result.scores))
        interval = result.ci.get(key) if result.ci else None
        values.append(SystemValue(
            system=name, key=key, key_name=score_name(key, lang), value=result.scores[key],
            value_text=value_text(result.scores[key], low_bound), interval=interval,
            interval_text=interval_text(interval, low_bound, lang), n=result.n,
            explanation=result.explain(lang) if card else phrase("no_card", lang),
        ))
        warnings += result_warnings(result, name, title, lang, low_bound)
        for table_name, columns in dt.column_tables(result.details).items():
            heading = phrase("per_class", lang) if table_name.startswith("per_") else table_name
            tables.append((name, dt.to_table(heading, columns, lang, low_bound)))
            plot = dt.per_class_plot(columns, lang)
            if plot is not None:
                plots.append(PlotSpec(plot.kind, f"{plot.title} — {name}", plot.data))
        for _, (labels, counts) in dt.matrices(result.details).items():
            labels, counts = dt.largest_classes(labels, counts)
            tables.append((name, dt.matrix_table(phrase("confusion", lang), labels, counts, lang)))
            plots.append(PlotSpec("confusion", f"{phrase('plot_confusion', lang)} — {name}",
                                  {"labels": [str(x) for x in labels], "counts": np.asarray(counts)}))
        for curve_name, curve in dt.curves(result.details).items():
            curves.setdefault(curve_name, {})[name] = curve
        if low_bound < 0 and item.predictions is not None:
            x, y = dt.numeric(item.predictions), dt.numeric(item.references)
            if x is not None and y is not None:
                plots.append(PlotSpec("scatter", f"{phrase('plot_scatter', lang)} — {name}", {"x": x, "y": y}))
        example_key = dt.example_key(result.per_example, key)
        if example_key is None:
            continue
        per_example = np.asarray(result.per_example[example_key], dtype=float)
        if not dt.is_graded(per_example):
            wrong = int(np.count_nonzero(per_example == 0))
            if _lists_wrong_examples(metric) and wrong and item.predictions is not None and worst > 0:
                examples = dt.wrong_examples(per_example, item.predictions, item.references, count=worst,
                                             low_bound=low_bound)
                worst_blocks.append(WorstExamples(system=name, examples=examples, intro=phrase(
                    "wrong_intro", lang, count=len(examples), wrong=wrong, n=result.n, name=name,
                    key=score_name(example_key, lang))))
            continue
        distribution[name] = per_example
        if item.predictions is not None and worst > 0:
            examples = dt.worst_examples(per_example, item.predictions, item.references, count=worst,
                                         higher_is_better=higher, low_bound=low_bound)
            worst_blocks.append(WorstExamples(
                system=name,
                intro=phrase("worst_intro", lang, count=len(examples), name=name, key=score_name(example_key, lang)),
                examples=examples,
            ))
    if distribution and example_key is not None:
        plots.append(dt.distribution_plot(distribution, example_key, lang))
    plots.extend(dt.curve_plot(by_system, lang) for by_system in curves.values())
    sentences = tuple(
        comparison_sentence(test, names=(names[0], other), metric=metric, higher_is_better=higher,
                            low_bound=low_bound, lang=lang, variant=variant)
        for other, comparison in comparisons for test in comparison.tests.values()
    )
    return MetricSection(
        metric=metric,
        label=label,
        title=title,
        what=card.what if card else phrase("no_card", lang),
        how_to_read=card.how_to_read if card else "",
        caveats=card.caveats if card else (),
        values=tuple(values),
        size_meaning=resolution_sentence(values[0].interval, low_bound, lang),
        tables=tuple(tables),
        plots=tuple(plots),
        worst=tuple(worst_blocks),
        worst_note=phrase("worst_unavailable", lang) if precomputed and worst > 0 else "",
        comparison_sentences=sentences,
    )


def _lists_wrong_examples(metric: str) -> bool:
    """Whether the metric asks reports to list its wrong examples (``report_wrong_examples`` on its class)."""
    from nlpmetrics.registry import metric_class

    return bool(getattr(metric_class(metric), "report_wrong_examples", False))


def _comparison_rows(comparisons, baseline: str, lang: str):
    for pairs in comparisons.values():
        for other, comparison in pairs:
            metric, variant = comparison.metric, comparison.variant
            higher, low_bound = comparison.higher_is_better, comparison.low_bound
            for position, (key, test) in enumerate(comparison.tests.items()):
                yield ComparisonRow(
                    metric=metric,
                    metric_title=metric_title(metric, lang) + (f" ({variant})" if variant else ""),
                    key_name=score_name(key, lang),
                    a=baseline,
                    b=other,
                    a_text=value_text(test.a, low_bound),
                    b_text=value_text(test.b, low_bound),
                    difference_text=signed_difference(test.difference, low_bound),
                    interval_text=signed_interval_text(test.interval, low_bound),
                    p_value=test.p_value,
                    p_text=p_cell(test.p_value, test.n_resamples),
                    sentence=comparison_sentence(test, names=(baseline, other), metric=metric,
                                                 higher_is_better=higher, low_bound=low_bound, lang=lang,
                                                 variant=variant),
                    main=position == 0,
                )


def _summary(sections, comparisons, names, confidence: float, lang: str) -> list[str]:
    """Each system's main score with its interval, then each comparison on the main score, in words."""
    lines = [_overall(sections, comparisons, names[0], other, lang) for other in names[1:]
             if any(other == o for pairs in comparisons.values() for o, _ in pairs)]
    for section in sections:
        for value in section.values:
            key = section.title
            # The title names the score already when the score is the metric's own (pearson) or its name is in it.
            if value.key != section.metric and value.key_name.lower() not in section.title.lower():
                key = phrase("title_and_key", lang, title=section.title, key=value.key_name)
            if value.interval_text:
                lines.append(phrase("line_system_ci", lang, name=value.system, key=key, value=value.value_text,
                                    interval=value.interval_text, n=value.n,
                                    confidence=f"{confidence * 100:.0f}%"))
            else:
                lines.append(phrase("line_system", lang, name=value.system, key=key, value=value.value_text))
        higher, low_bound = _metric_info(section.metric)
        for other, comparison in comparisons.get(section.label, []):
            main = next(iter(comparison.tests.values()))
            lines.append(comparison_sentence(main, names=(names[0], other), metric=section.metric,
                                             higher_is_better=higher, low_bound=low_bound, lang=lang,
                                             variant=comparison.variant))
    return lines


def _overall(sections, comparisons, baseline: str, other: str, lang: str) -> str:
    """One sentence: on how many metrics ``other`` is reliably better or worse than the baseline."""
    better = worse = same = 0
    for section in sections:
        higher, _ = _metric_info(section.metric)
        for name, comparison in comparisons.get(section.label, []):
            if name != other:
                continue
            main = next(iter(comparison.tests.values()))
            if not main.p_value < SELDOM_P or main.difference == 0:
                same += 1
            elif (main.difference > 0) == higher:
                better += 1
            else:
                worse += 1
    return phrase("overall", lang, a=baseline, b=other, better=better, worse=worse, same=same,
                  total=better + worse + same)


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
    """Each metric's main score per system with its interval (one panel per metric)."""
    panels = []
    for section in sections:
        _, low_bound = _metric_info(section.metric)
        panels.append({
            "title": section.title,
            "percent": low_bound >= 0,
            "rows": [{"label": v.system, "value": v.value, "interval": v.interval} for v in section.values],
        })
    return PlotSpec("forest", phrase("plot_forest", lang, confidence=f"{confidence * 100:.0f}%"), {"panels": panels})
