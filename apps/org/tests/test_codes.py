from apps.org.codes import code_candidates, code_from_index, code_stem, employee_id_format


def test_stem_uses_initials_of_several_words():
    assert code_stem("Human Resources") == "HR"


def test_stem_uses_the_start_of_a_single_word():
    assert code_stem("Engineering") == "ENG"


def test_stem_uses_pinyin_initials_for_chinese_names():
    assert code_stem("研发中心") == "YFZX"


def test_stem_folds_accents_and_drops_symbols():
    assert code_stem("Équipe & Qualité") == "EQ"


def test_stem_is_padded_to_two_letters():
    assert code_stem("X") == "XX"


def test_stem_of_a_name_without_letters_is_still_valid():
    assert code_stem("123 !!") == "XX"


def test_stem_is_cut_to_six_letters():
    assert code_stem("a b c d e f g h") == "ABCDEF"


def test_candidates_start_with_the_stem_then_add_letters():
    candidates = code_candidates("ENG")
    assert [next(candidates) for _ in range(3)] == ["ENG", "ENGA", "ENGB"]


def test_index_codes_are_distinct_letters():
    codes = {code_from_index(i, 5) for i in range(5000)}
    assert len(codes) == 5000
    assert all(c.isalpha() and c.isupper() and len(c) == 5 for c in codes)


def test_employee_ids_are_zero_padded():
    assert employee_id_format(42) == "E000042"
