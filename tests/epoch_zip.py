"""The support tables of Epoch's benchmark_data.zip in its indexed layout (2026-08 on), as a third-party inventory
of the 2026-09-16 zip describes them (columns and example rows): the upstream's index of benchmark files, model
metadata, the README and two ECI support tables. Kept here rather than under fixtures/: they yield no score rows,
and the parser-fuzzing test (test_hostile_parsers) would parse every other fixture with each of their mutations."""

from __future__ import annotations

from conftest import FIXTURES

INDEXED = FIXTURES / "epoch_benchmarking_hub" / "indexed"  # the benchmark files of that layout

SUPPORT: dict[str, bytes] = {
    'benchmark_metadata.csv': (
        b'benchmark,in_eci,source_file,score_column,scale,random_baseline,score_ceiling,release_date,superseded_by\n'
        b'GPQA diamond,True,gpqa_diamond.csv,Best score (across scorers),1.0,0.25,1.0,2023-11-20,\n'
        b"Humanity's Last Exam,True,hle_external.csv,Accuracy,1.0,0.048,1.0,2025-01-23,\n"
        b'ARC-AGI-2,True,arc_agi_2_external.csv,Score,1.0,0.0,1.0,2025-03-24,\n'
        b'APEX-Agents,True,apex_agents_external.csv,Pass@1 score,1.0,0.0,1.0,2026-01-20,\n'
        b'Vending-Bench 2,False,,,1.0,0.0,1.0,2025-11-20,\n'
    ),
    'model_metadata.csv': (
        b'model_version,model_group,date,display_name,organization,country,accessibility,training_compute_flop\n'
        b'claude-opus-4-6_120K,Claude Opus 4.6,2026-02-05,Claude Opus 4.6,Anthropic,United States of America,API access,\n'
        b'zai-org/glm-5,GLM-5,2026-02-11,GLM-5 (Novita),Z.ai (Zhipu AI),China,Open weights (unrestricted),6.84e+24\n'
        b',,,,,,,\n'
    ),
    'README.md': (
        b'## Licensing\n'
        b"Epoch AI's data is free to use, distribute, and reproduce provided the source and authors are credited under the Creative Commons Attribution license.\n"
    ),
    'epoch_capabilities_index/edi_scores.csv': (
        b'benchmark_name,is_anchor,benchmark_release_date,edi,estimated_slope_scaled\n'
        b'Winogrande,True,2019-07-24,100.0,0.0212\n'
        b'PIQA,False,2019-11-26,86.22048708869679,0.02206550895865236\n'
    ),
    'epoch_capabilities_index/processed_data_for_eci.csv': (
        b'model_id,benchmark_id,performance,benchmark,benchmark_release_date,model,model_version,Model,date,source\n'
        b'm1,b1,0.605,Lech Mazur Writing,2025-01-31,Amazon Nova Pro,amazon.nova-pro-v1:0,Amazon Nova Pro,2024-12-03,lechmazur/writing Github repository\n'
    ),
}


def indexed_members() -> dict[str, bytes]:
    """Every member of the indexed zip but the benchmarks of the flat layout (gpqa_diamond.csv ...)."""
    files = {p.relative_to(INDEXED).as_posix(): p.read_bytes() for p in sorted(INDEXED.rglob("*")) if p.is_file()}
    return files | SUPPORT
