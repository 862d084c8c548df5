"""Short names of the WHO/ITU Global Digital Health Monitor indicators, for reports."""

from __future__ import annotations

# Our own short paraphrases of the GDHM indicator names (codes as the GDHM numbers them; 21a-c
# are the master patient index, the birth registry and the death registry).
NAMES: dict[str, dict[str, str]] = {
    "1": {
        "en": "National bodies or mechanisms governing digital health",
        "vi": "Cơ quan, cơ chế quản trị y tế số cấp quốc gia",
    },
    "2": {"en": "Digital health in national health planning", "vi": "Y tế số trong kế hoạch y tế quốc gia"},
    "2a": {
        "en": "Health in national digital transformation and data governance policy",
        "vi": "Y tế trong chính sách chuyển đổi số và quản trị dữ liệu quốc gia",
    },
    "3": {
        "en": "Readiness to adopt and govern emerging technologies",
        "vi": "Sẵn sàng ứng dụng và quản trị công nghệ mới",
    },
    "4": {
        "en": "Diversity, equity and human rights in digital health strategies",
        "vi": "Đa dạng, công bằng và quyền con người trong chiến lược y tế số",
    },
    "4a": {
        "en": "Gender in digital health strategies and governance",
        "vi": "Yếu tố giới trong chiến lược và quản trị y tế số",
    },
    "5": {"en": "National digital health strategy or framework", "vi": "Chiến lược hoặc khung y tế số quốc gia"},
    "5a": {
        "en": "Strategy aligned with universal health coverage",
        "vi": "Chiến lược gắn với bao phủ chăm sóc sức khỏe toàn dân",
    },
    "6": {"en": "Public funding for digital health", "vi": "Kinh phí công cho y tế số"},
    "6a": {"en": "Private sector participation and investment", "vi": "Sự tham gia và đầu tư của khu vực tư nhân"},
    "7": {"en": "Data security and cybersecurity law", "vi": "Khung pháp lý về an toàn dữ liệu và an ninh mạng"},
    "8": {
        "en": "Privacy, consent and access to health information",
        "vi": "Quyền riêng tư, sự đồng ý và truy cập thông tin y tế",
    },
    "9": {
        "en": "Regulating and certifying devices and health services",
        "vi": "Quản lý, chứng nhận thiết bị và dịch vụ y tế số",
    },
    "9a": {
        "en": "Regulating and certifying AI in health services",
        "vi": "Quản lý, chứng nhận trí tuệ nhân tạo trong dịch vụ y tế",
    },
    "10": {"en": "Cross-border data security and sharing", "vi": "An toàn và chia sẻ dữ liệu xuyên biên giới"},
    "11": {"en": "Digital health in pre-service training", "vi": "Y tế số trong đào tạo trước khi hành nghề"},
    "12": {"en": "Digital health in in-service training", "vi": "Y tế số trong đào tạo liên tục"},
    "13": {"en": "Training of the digital health workforce", "vi": "Đào tạo đội ngũ chuyên trách y tế số"},
    "14": {"en": "Public sector digital health careers", "vi": "Lộ trình nghề nghiệp y tế số trong khu vực công"},
    "15": {"en": "Architecture and health information exchange", "vi": "Kiến trúc và trao đổi thông tin y tế"},
    "16": {"en": "Health information standards", "vi": "Tiêu chuẩn thông tin y tế"},
    "17": {"en": "Network readiness (a national index)", "vi": "Sẵn sàng về hạ tầng mạng (chỉ số quốc gia)"},
    "18": {"en": "Infrastructure maintenance planning and support", "vi": "Kế hoạch và hỗ trợ bảo trì hạ tầng"},
    "19": {"en": "Digital health systems at national scale", "vi": "Hệ thống y tế số triển khai quy mô quốc gia"},
    "20": {
        "en": "Identity of providers and facilities (registries, GIS)",
        "vi": "Định danh người hành nghề và cơ sở (danh mục, GIS)",
    },
    "21": {"en": "Digital identity of individuals for health", "vi": "Định danh điện tử cá nhân phục vụ y tế"},
    "21a": {
        "en": "Digital identity of individuals: master patient index",
        "vi": "Định danh cá nhân: chỉ mục định danh người bệnh thống nhất (MPI)",
    },
    "21b": {
        "en": "Digital identity of individuals: birth registry",
        "vi": "Định danh cá nhân: dữ liệu đăng ký khai sinh",
    },
    "21c": {
        "en": "Digital identity of individuals: death registry",
        "vi": "Định danh cá nhân: dữ liệu đăng ký khai tử",
    },
    "22": {"en": "Secure patient feedback systems", "vi": "Hệ thống phản hồi an toàn của người bệnh"},
    "23": {
        "en": "Digital health in public health reporting and decisions",
        "vi": "Y tế số trong báo cáo và ra quyết định về sức khỏe cộng đồng",
    },
}


def name(code: str, lang: str) -> str:
    names = NAMES.get(code)
    if names is None:
        return f"GDHM {code}"
    return names.get(lang, names["en"])
