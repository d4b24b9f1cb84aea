"""The one place where the PDF's copy-paste text is fixed: a patched copy of the bundled
Thai font, so that the text copied out of our PDFs is the text that went in, with rendering
unchanged. resources.font_paths() builds the patched copies once (cached on disk) and every
PDF, and the HarfBuzz measurements of justify.py, use them.

Why: with the original Sarabun, WeasyPrint's PDFs extract "สำนักงาน" as "ส˸ำนักงำน" in pdfium
and poppler alike, and tone marks come out of order ("ท่ี" for "ที่").

Two problems are fixed, only by adding glyphs, GSUB lookups and the matching
GDEF/GPOS entries for the new glyphs (existing glyphs keep their outlines
and existing lookups their behaviour):

1. SARA AM (U+0E33).  HarfBuzz's Thai shaper always decomposes SARA AM into
   NIKHAHIT (U+0E4D) + SARA AA (U+0E32) before GSUB, and Sarabun then forms
   NIKHAHIT+tone ligatures, so one character gives two glyphs in one cluster.
   WeasyPrint (draw/text.py, draw_first_line) keeps ONE ToUnicode string per
   glyph id, first occurrence wins, and gives the whole cluster text to the last
   glyph of the cluster and "" to the others.  The shared SARA AA glyph so maps
   to "ำ", "้ำ" or "า" (whatever came first), and the nikhahit glyph maps to
   "" (pdfium then prints the glyph id as a character).
   Fix: GSUB ligature  <nikhahit form> + SARA AA -> one new composite glyph
   (SARA AA + nikhahit/nikhahit-tone glyph, placed where GPOS mark-to-base
   positioning would have put it on the preceding consonant).  Each new glyph
   always stands for the same text ("ำ", "่ำ", "้ำ", "๊ำ", "๋ำ").

2. Reading order of marks.  GPOS moves zero-width marks with x/y offsets, so
   in the PDF a tone mark's origin can lie left of the vowel under it, right of
   the next consonant (positive offsets in Sarabun Bold), or be drawn with a
   text rise in a separate TJ.  pdftotext and pdfium order glyphs by origin and
   so output "ท่ี" for "ที่", "สิง่" for "สิ่ง", or insert spaces.
   Fix: emulate the GPOS mark-to-base and mark-to-mark attachments in GSUB,
   replacing each Thai mark by a copy (composite) of itself whose outline is
   already shifted by the offset GPOS would apply.  Marks then sit exactly on
   the pen position, in logical order, with no offsets and no text rise.
   Contexts not covered (non-Thai bases, malformed sequences) keep the original
   mark glyph and are positioned by GPOS as before.

The outlines drawn are identical to the unpatched font for every string
(verified glyph-by-glyph with HarfBuzz over ~62,000 Thai dictionary words).
Only fontTools is required.
"""

from collections import defaultdict

from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables as ot
from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphComponent

SARA_AA, NIKHAHIT = 0x0E32, 0x0E4D
THAI_LETTERS = range(0x0E01, 0x0E2F)          # consonants and independent vowels
THAI_MARKS = [0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)]
UPPER_VOWELS = [0x0E31, 0x0E34, 0x0E35, 0x0E36, 0x0E37, 0x0E47]   # ั ิ ี ึ ื ็
TOP_MARKS = [0x0E48, 0x0E49, 0x0E4A, 0x0E4B, 0x0E4C, 0x0E4E]      # ่ ้ ๊ ๋ ์ ๎


# --- small helpers ------------------------------------------------------------

def _lookups(table):
    """Yield (lookup, subtables) with Extension subtables unwrapped."""
    for lookup in table.LookupList.Lookup:
        yield lookup, [getattr(st, 'ExtSubTable', st) for st in lookup.SubTable]


def _closure(font, glyphs):
    """Glyphs reachable from `glyphs` by GSUB single substitutions/ligatures."""
    reached, changed = set(glyphs), True
    while changed:
        changed = False
        for _, subtables in _lookups(font['GSUB'].table):
            for st in subtables:
                new = set()
                if isinstance(st, ot.SingleSubst):
                    new = {dst for src, dst in st.mapping.items() if src in reached}
                elif isinstance(st, ot.LigatureSubst):
                    new = {lig.LigGlyph
                           for first, ligs in st.ligatures.items() for lig in ligs
                           if reached & {first, *lig.Component}}
                if new - reached:
                    reached |= new
                    changed = True
    return reached


def _coverage(glyphs, font):
    coverage = ot.Coverage()
    coverage.glyphs = sorted(set(glyphs), key=font.getGlyphID)
    return coverage


class _Builder:
    """Adds composite glyphs and GSUB lookups to a TTFont."""

    def __init__(self, font):
        self.font = font
        self.gsub = font['GSUB'].table
        self.gdef = font['GDEF'].table
        self.new_glyphs = []
        self.feature_lookups = []       # lookups to register in 'ccmp'

    def add_glyph(self, name, components, advance, glyph_class, attach_class=None):
        glyph = Glyph()
        glyph.numberOfContours = -1
        glyph.components = []
        for base, (dx, dy) in components:
            component = GlyphComponent()
            component.glyphName, component.x, component.y = base, dx, dy
            component.flags = 0  # no ROUND_XY_TO_GRID: keep exact sub-pixel positions
            glyph.components.append(component)
        self.new_glyphs.append((name, glyph, advance, glyph_class, attach_class))
        return name

    def commit_glyphs(self):
        font, glyf = self.font, self.font['glyf']
        order = font.getGlyphOrder() + [name for name, *_ in self.new_glyphs]
        font.setGlyphOrder(order)
        glyf.glyphOrder = order
        classes = self.gdef.GlyphClassDef.classDefs
        if self.gdef.MarkAttachClassDef is None:
            self.gdef.MarkAttachClassDef = ot.MarkAttachClassDef()
            self.gdef.MarkAttachClassDef.classDefs = {}
        for name, glyph, advance, glyph_class, attach_class in self.new_glyphs:
            glyf[name] = glyph
            glyph.recalcBounds(glyf)
            font['hmtx'][name] = (advance, getattr(glyph, 'xMin', 0))
            classes[name] = glyph_class
            if attach_class:
                self.gdef.MarkAttachClassDef.classDefs[name] = attach_class
        self.new_glyphs = []

    def lookup(self, lookup_type, subtables, flag=0, mark_set=None, feature=False):
        lookup = ot.Lookup()
        lookup.LookupType, lookup.LookupFlag = lookup_type, flag
        lookup.SubTable, lookup.SubTableCount = subtables, len(subtables)
        if mark_set is not None:
            lookup.LookupFlag |= 0x0010  # UseMarkFilteringSet
            lookup.MarkFilteringSet = mark_set
        lookups = self.gsub.LookupList
        lookups.Lookup.append(lookup)
        lookups.LookupCount = len(lookups.Lookup)
        index = lookups.LookupCount - 1
        if feature:
            self.feature_lookups.append(index)
        return index

    def single(self, mapping):
        subtable = ot.SingleSubst()
        subtable.Format, subtable.mapping = 1, dict(mapping)
        return self.lookup(1, [subtable])


# --- GSUB tables and GDEF mark sets ---------------------------------------------------------

def _chain_rule(font, backtrack, inputs, lookup_index):
    """ChainContextSubst format 3: backtrack = [glyph set] (closest first)."""
    rule = ot.ChainContextSubst()
    rule.Format = 3
    rule.BacktrackCoverage = [_coverage(g, font) for g in backtrack]
    rule.InputCoverage = [_coverage(inputs, font)]
    rule.LookAheadCoverage = []
    rule.BacktrackGlyphCount = len(backtrack)
    rule.InputGlyphCount, rule.LookAheadGlyphCount = 1, 0
    rule.SubstLookupRecord, rule.SubstCount = [_record(lookup_index)], 1
    return rule


def _record(lookup_index):
    record = ot.SubstLookupRecord()
    record.SequenceIndex, record.LookupListIndex = 0, lookup_index
    return record


def _glyph_rules(font, rules):
    """ChainContextSubst format 1 from {input glyph: [(previous glyph, lookup index)]}:
    one-glyph backtrack, one-glyph input."""
    subtable = ot.ChainContextSubst()
    subtable.Format = 1
    inputs = sorted(rules, key=font.getGlyphID)
    subtable.Coverage = _coverage(inputs, font)
    subtable.ChainSubRuleSet = []
    for glyph in inputs:
        rule_set = ot.ChainSubRuleSet()
        rule_set.ChainSubRule = []
        for previous, lookup_index in rules[glyph]:
            rule = ot.ChainSubRule()
            rule.Backtrack, rule.BacktrackGlyphCount = [previous], 1
            rule.Input, rule.InputGlyphCount = [], 1
            rule.LookAhead, rule.LookAheadGlyphCount = [], 0
            rule.SubstLookupRecord, rule.SubstCount = [_record(lookup_index)], 1
            rule_set.ChainSubRule.append(rule)
        rule_set.ChainSubRuleCount = len(rule_set.ChainSubRule)
        subtable.ChainSubRuleSet.append(rule_set)
    subtable.ChainSubRuleSetCount = len(subtable.ChainSubRuleSet)
    return subtable


def _mark_set(font, gdef, glyphs):
    """Add a GDEF mark glyph set (upgrading GDEF to 1.2), return its index."""
    if getattr(gdef, 'MarkGlyphSetsDef', None) is None:
        gdef.Version = 0x00010002
        gdef.MarkGlyphSetsDef = ot.MarkGlyphSetsDef()
        gdef.MarkGlyphSetsDef.MarkSetTableFormat = 1
        gdef.MarkGlyphSetsDef.Coverage = []
    sets = gdef.MarkGlyphSetsDef
    sets.Coverage.append(_coverage(glyphs, font))
    sets.MarkSetCount = len(sets.Coverage)
    return sets.MarkSetCount - 1


def _language_systems(gsub):
    langsyses = []
    for script in gsub.ScriptList.ScriptRecord:
        if script.Script.DefaultLangSys is not None:
            langsyses.append(script.Script.DefaultLangSys)
        langsyses += [r.LangSys for r in script.Script.LangSysRecord]
    return langsyses


def _add_ccmp_feature(records, langsyses, langsys, done):
    """A new, empty ccmp feature for ``langsys``, in tag order; the feature indexes of every
    language system (and ``done``) moved past it. Returns its index and the new ``done``."""
    record = ot.FeatureRecord()
    record.FeatureTag = 'ccmp'
    record.Feature = ot.Feature()
    record.Feature.FeatureParams = None
    record.Feature.LookupListIndex = []
    position = sum(1 for r in records if r.FeatureTag <= 'ccmp')
    records.insert(position, record)
    for other in langsyses:
        other.FeatureIndex = [i + (i >= position) for i in other.FeatureIndex]
    done = {i + (i >= position) for i in done}
    langsys.FeatureIndex = sorted(langsys.FeatureIndex + [position])
    return position, done


def _register_in_ccmp(gsub, feature_lookups):
    """Append ``feature_lookups`` to the ccmp feature of every language system, creating a
    ccmp feature where one is missing.  HarfBuzz applies all lookups of a GSUB stage in
    lookup-index order, so ours (appended last) see the final glyphs of every other lookup."""
    records = gsub.FeatureList.FeatureRecord
    langsyses = _language_systems(gsub)
    done = set()
    for langsys in langsyses:
        ccmp = [i for i in langsys.FeatureIndex if records[i].FeatureTag == 'ccmp']
        if not ccmp:
            position, done = _add_ccmp_feature(records, langsyses, langsys, done)
            ccmp = [position]
        for i in ccmp:
            if i not in done:
                feature = records[i].Feature
                feature.LookupListIndex += feature_lookups
                feature.LookupCount = len(feature.LookupListIndex)
                done.add(i)
    gsub.FeatureList.FeatureCount = len(records)
    for langsys in langsyses:
        langsys.FeatureCount = len(langsys.FeatureIndex)


# --- GPOS reading ---------------------------------------------------------------

def _mark_attachments(font, marks, bases):
    """Read GPOS MarkBasePos / MarkMarkPos (format 1) lookups, in order.

    Returns a list of steps:
      ('base', None, {mark: {base: (dx, dy)}})     offset of the mark relative
                                                    to the pen after the base
      ('mark', lookup, {mark2: {mark1: (dx, dy)}}) offset of mark2 relative to
                                                    mark1 (both zero-width)
    Only marks in `marks` and bases in `bases` are kept."""
    hmtx = font['hmtx']
    steps = []
    if 'GPOS' not in font:
        return steps
    for lookup, subtables in _lookups(font['GPOS'].table):
        for st in subtables:
            if isinstance(st, ot.MarkBasePos) and st.Format == 1:
                table = defaultdict(dict)
                base_list = st.BaseCoverage.glyphs
                for mark, record in zip(st.MarkCoverage.glyphs, st.MarkArray.MarkRecord):
                    if mark not in marks:
                        continue
                    mx, my = record.MarkAnchor.XCoordinate, record.MarkAnchor.YCoordinate
                    for base, base_record in zip(base_list, st.BaseArray.BaseRecord):
                        anchor = base_record.BaseAnchor[record.Class]
                        if base in bases and anchor is not None:
                            table[mark][base] = (
                                anchor.XCoordinate - mx - hmtx[base][0],
                                anchor.YCoordinate - my)
                steps.append(('base', None, dict(table)))
            elif isinstance(st, ot.MarkMarkPos) and st.Format == 1:
                table = defaultdict(dict)
                mark2_list = st.Mark2Coverage.glyphs
                for mark, record in zip(st.Mark1Coverage.glyphs, st.Mark1Array.MarkRecord):
                    if mark not in marks:
                        continue
                    mx, my = record.MarkAnchor.XCoordinate, record.MarkAnchor.YCoordinate
                    for mark2, mark2_record in zip(mark2_list, st.Mark2Array.Mark2Record):
                        anchor = mark2_record.Mark2Anchor[record.Class]
                        if mark2 in marks and anchor is not None:
                            table[mark][mark2] = (
                                anchor.XCoordinate - mx, anchor.YCoordinate - my)
                steps.append(('mark', lookup, dict(table)))
    return steps


# --- fix 1: SARA AM -------------------------------------------------------------

def _recompose_sara_am(font, builder, bases):
    cmap = font.getBestCmap()
    aa, nikhahit = cmap[SARA_AA], cmap[NIKHAHIT]
    aa_advance = font['hmtx'][aa][0]
    forms = sorted(_closure(font, {nikhahit}))       # nikhahit, .narrow, +tone ligatures
    offsets = defaultdict(dict)                        # form -> {base: offset}
    for kind, _, table in _mark_attachments(font, set(forms), bases):
        if kind == 'base':
            for form, per_base in table.items():
                offsets[form].update(per_base)

    default, variants = {}, {}
    for form in forms:
        default[form] = builder.add_glyph(
            f'{form}_{aa}.am', [(aa, (0, 0)), (form, (0, 0))], aa_advance, 1)
        for i, offset in enumerate(sorted(set(offsets[form].values()) - {(0, 0)})):
            variants[form, offset] = builder.add_glyph(
                f'{form}_{aa}.am{i + 1}', [(aa, (0, 0)), (form, offset)],
                aa_advance, 1)
    builder.commit_glyphs()

    # <nikhahit form> + SARA AA -> SARA AM glyph
    subtable = ot.LigatureSubst()
    subtable.Format, subtable.ligatures = 1, {}
    for form, glyph in default.items():
        ligature = ot.Ligature()
        ligature.Component, ligature.LigGlyph, ligature.CompCount = [aa], glyph, 2
        subtable.ligatures[form] = [ligature]
    builder.lookup(4, [subtable], feature=True)

    # Pick the variant matching the preceding base (marks in between skipped,
    # like mark-to-base attachment does).
    rules = []
    for (form, offset), glyph in sorted(variants.items()):
        base_set = [b for b, o in offsets[form].items() if o == offset]
        rules.append(_chain_rule(font, 
            [base_set], [default[form]], builder.single({default[form]: glyph})))
    if rules:
        builder.lookup(6, rules, flag=0x0008, feature=True)  # IgnoreMarks


# --- fix 2: fold mark offsets into glyphs ----------------------------------------

def _name(mark, offset):
    dx, dy = offset
    sign = lambda v: f'{"m" if v < 0 else "p"}{abs(v)}'
    return f'{mark}.x{sign(dx)}y{sign(dy)}'


def _fold_marks(font, builder, marks, bases, lower, upper):
    """Replace Thai marks by pre-shifted copies (see module docstring, fix 2).

    marks: Thai mark glyphs; bases: glyphs marks attach to; `upper` are the
    vowel signs a top mark can sit on (ั ิ ี ึ ื ็ forms) and `lower` the top
    marks (่ ้ ๊ ๋ ์ ๎ forms).  Mark-to-base attachments and these
    mark-on-vowel stacks (the valid Thai ones) are folded; anything else keeps
    its original glyph and GPOS positioning."""
    steps = _mark_attachments(font, marks, bases)
    gdef = builder.gdef
    attach = gdef.MarkAttachClassDef.classDefs if gdef.MarkAttachClassDef else {}
    on_base, parents, offsets, stacks = _offsets(steps, lower, upper)

    variant = {}
    for mark in sorted(offsets):
        for offset in sorted(offsets[mark]):
            variant[mark, offset] = builder.add_glyph(
                _name(mark, offset), [(mark, offset)], 0, 3, attach.get(mark))
    builder.commit_glyphs()
    _shift_mark2_anchors(font, variant)

    # SingleSubst lookup k maps each mark to its k-th variant; rules pick k.
    ordered = {mark: sorted(offsets[mark]) for mark in offsets}
    single_lookups = [
        builder.single({mark: variant[mark, ordered[mark][k]]
                        for mark in ordered if k < len(ordered[mark])})
        for k in range(max(map(len, ordered.values()), default=0))]

    def to_offset(mark, offset):
        return single_lookups[ordered[mark].index(offset)]

    _add_mark_on_base_lookups(font, builder, on_base, parents, offsets, variant, to_offset)
    _add_stacked_mark_lookups(font, builder, stacks, offsets, variant, to_offset)


def _offsets(steps, lower, upper):
    """From the GPOS attachment ``steps``: per mark its offsets on each base (the last
    lookup attaching a mark to a base wins in GPOS), the marks it can sit on, every offset
    it takes, and per mark-to-mark lookup the stacks of a top mark on an upper vowel:
    (gpos lookup, {mark2: {(mark1, offset1): offset2}})."""
    on_base = defaultdict(dict)                 # mark -> {base: offset}
    parents = defaultdict(set)                  # mark -> marks it can sit on
    for kind, _, table in steps:
        for mark, per_other in table.items():
            if kind == 'base':
                on_base[mark].update(per_other)
            else:
                parents[mark] |= set(per_other)
    offsets = defaultdict(set)
    for mark, per_base in on_base.items():
        offsets[mark] |= set(per_base.values())
    stacks = []
    for kind, gpos_lookup, table in steps:
        if kind != 'mark':
            continue
        stack = defaultdict(dict)
        for mark2, per_mark1 in table.items():
            if mark2 not in lower:
                continue
            for mark1, (dx, dy) in per_mark1.items():
                if mark1 in upper:
                    for dx1, dy1 in set(on_base[mark1].values()):
                        stack[mark2][mark1, (dx1, dy1)] = (dx1 + dx, dy1 + dy)
                        offsets[mark2].add((dx1 + dx, dy1 + dy))
        stacks.append((gpos_lookup, stack))
    return on_base, parents, offsets, stacks


def _shift_mark2_anchors(font, variant):
    """Variants keep the mark-to-mark anchors of their original (shifted by the offset),
    so a mark that our GSUB rules leave alone still attaches to them in GPOS exactly as it
    did to the original: rendering never changes."""
    for _, subtables in _lookups(font['GPOS'].table):
        for st in subtables:
            if not (isinstance(st, ot.MarkMarkPos) and st.Format == 1):
                continue
            records = dict(zip(st.Mark2Coverage.glyphs, st.Mark2Array.Mark2Record))
            for (mark, (dx, dy)), glyph in sorted(
                    variant.items(), key=lambda item: font.getGlyphID(item[1])):
                if mark not in records:
                    continue
                record = ot.Mark2Record()
                record.Mark2Anchor = [_shifted(anchor, dx, dy) for anchor in records[mark].Mark2Anchor]
                st.Mark2Coverage.glyphs.append(glyph)
                st.Mark2Array.Mark2Record.append(record)
            st.Mark2Array.Mark2Count = len(st.Mark2Array.Mark2Record)


def _shifted(anchor, dx, dy):
    if anchor is None:
        return None
    shifted = ot.Anchor()
    shifted.Format = 1
    shifted.XCoordinate = anchor.XCoordinate + dx
    shifted.YCoordinate = anchor.YCoordinate + dy
    return shifted


def _add_mark_on_base_lookups(font, builder, on_base, parents, offsets, variant, to_offset):
    """Mark on base.  One lookup per mark, whose mark filtering set holds the mark and the
    marks it can sit on: the backtrack skips other marks and finds the base as mark-to-base
    attachment does, but sees a mark the current one would be stacked on (mark-to-mark,
    handled next or by GPOS)."""
    for mark, per_base in sorted(on_base.items()):
        by_offset = defaultdict(list)
        for base, offset in per_base.items():
            by_offset[offset].append(base)
        visible = {mark}
        for parent in parents[mark]:
            visible |= {parent} | {variant[parent, o] for o in offsets.get(parent, ())}
        rules = [_chain_rule(font, [base_set], [mark], to_offset(mark, offset))
                 for offset, base_set in sorted(by_offset.items())]
        builder.lookup(6, rules, mark_set=_mark_set(font, builder.gdef, visible), feature=True)


def _add_stacked_mark_lookups(font, builder, stacks, offsets, variant, to_offset):
    """Top mark on an upper vowel.  Same lookup flags as the GPOS mark-to-mark lookup, so
    the same previous mark is found; it has already been replaced by the variant that
    records its offset."""
    gdef = builder.gdef
    for gpos_lookup, stack in stacks:
        rules = {mark2: [(variant[key], to_offset(mark2, offset))
                         for key, offset in sorted(per_mark1.items())]
                 for mark2, per_mark1 in stack.items() if per_mark1}
        if not rules:
            continue
        flag, mark_set = gpos_lookup.LookupFlag, None
        if flag & 0x0010:
            # Same filtering set as in GPOS, extended to our variants.
            glyphs = gdef.MarkGlyphSetsDef.Coverage[gpos_lookup.MarkFilteringSet].glyphs
            mark_set = _mark_set(font, gdef, {
                g for m in glyphs for g in [m] + [variant[m, o] for o in offsets.get(m, ())]})
        builder.lookup(6, [_glyph_rules(font, rules)], flag=flag & ~0x0010,
                       mark_set=mark_set, feature=True)


# --- entry point ------------------------------------------------------------------

def patch_font(src_path, dst_path, fold_marks=True):
    """Write a patched copy of the TrueType (glyf) font `src_path` to `dst_path`.

    Deterministic: the same input gives a byte-identical output.  Takes well
    under a second per Sarabun weight; done once and kept on disk by
    resources.font_paths(), whose files the templates load with @font-face.
    """
    font = TTFont(src_path, recalcTimestamp=False)
    if 'glyf' not in font or 'GSUB' not in font or 'GDEF' not in font:
        raise ValueError(f'{src_path}: need a TrueType font with GSUB and GDEF')
    cmap = font.getBestCmap()
    if SARA_AA not in cmap or NIKHAHIT not in cmap:
        raise ValueError(f'{src_path}: no Thai SARA AA / NIKHAHIT glyphs')
    if any(name.endswith(f'_{cmap[SARA_AA]}.am') for name in font.getGlyphOrder()):
        raise ValueError(f'{src_path}: font is already patched')
    builder = _Builder(font)
    # Glyphs that can carry Thai marks: Thai letters and their GSUB variants.
    bases = _closure(font, {cmap[c] for c in THAI_LETTERS if c in cmap})
    _recompose_sara_am(font, builder, bases)
    if fold_marks:
        classes = builder.gdef.GlyphClassDef.classDefs
        def marks_of(codes):
            return {g for g in _closure(font, {cmap[c] for c in codes if c in cmap})
                    if classes.get(g) == 3}
        nikhahit_forms = _closure(font, {cmap[NIKHAHIT]})   # SARA AM parts
        _fold_marks(font, builder, marks_of(THAI_MARKS), bases,
                    lower=marks_of(TOP_MARKS) - nikhahit_forms,
                    upper=marks_of(UPPER_VOWELS))
    _register_in_ccmp(builder.gsub, builder.feature_lookups)
    if 'DSIG' in font:        # the signature is void once the font is modified
        del font['DSIG']
    font.save(dst_path)
    return dst_path
