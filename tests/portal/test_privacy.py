import pytest

from portal.privacy import mask_address, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [("王芳", "王*"), ("王小芳", "王*芳"), ("欧阳娜娜", "欧**娜"), ("王", "*"), ("", "")],
)
def test_names_are_masked_the_usual_chinese_way(name, masked):
    assert mask_name(name) == masked


def test_phones_ids_and_addresses_are_masked():
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("garbage") == "***"
    assert mask_id_number("11010519491231002X") == "1****************X"
    assert mask_address("武侯区浆洗街街道洗面桥横街9号2单元") == "武侯区浆洗街****"
