"""Short names of the WHO/ITU Global Digital Health Monitor indicators, for reports."""

from __future__ import annotations

# Our own short paraphrases of the GDHM indicator titles (codes as the GDHM numbers them).
NAMES: dict[str, dict[str, str]] = {
    "1": {"en": "Governance body for digital health", "vi": "Cơ quan, cơ chế điều phối y tế số"},
    "2": {"en": "Digital health in health sector planning", "vi": "Y tế số trong kế hoạch của ngành y tế"},
    "2a": {
        "en": "Health in digital transformation and data policy",
        "vi": "Y tế trong chính sách chuyển đổi số và dữ liệu",
    },
    "3": {"en": "Readiness for emerging technologies", "vi": "Sẵn sàng cho công nghệ mới"},
    "4": {
        "en": "Equity and rights in digital health plans",
        "vi": "Công bằng và quyền con người trong kế hoạch y tế số",
    },
    "4a": {"en": "Gender in digital health governance", "vi": "Yếu tố giới trong quản trị y tế số"},
    "5": {"en": "Digital health strategy or framework", "vi": "Chiến lược hoặc khung y tế số"},
    "5a": {"en": "Strategy aligned with universal health coverage", "vi": "Chiến lược gắn với bao phủ y tế toàn dân"},
    "6": {"en": "Public funding for digital health", "vi": "Ngân sách nhà nước cho y tế số"},
    "6a": {"en": "Private sector participation and investment", "vi": "Sự tham gia và đầu tư của khu vực tư nhân"},
    "7": {"en": "Data protection and cybersecurity law", "vi": "Khung pháp lý về bảo vệ dữ liệu và an ninh mạng"},
    "8": {
        "en": "Privacy, consent and access to health information",
        "vi": "Quyền riêng tư, sự đồng ý và truy cập thông tin y tế",
    },
    "9": {"en": "Regulating devices, services and algorithms", "vi": "Quản lý thiết bị, dịch vụ và thuật toán"},
    "9a": {"en": "Regulating AI in health services", "vi": "Quản lý trí tuệ nhân tạo trong dịch vụ y tế"},
    "10": {"en": "Cross-border data security and sharing", "vi": "An toàn và chia sẻ dữ liệu xuyên biên giới"},
    "11": {"en": "Digital health in pre-service training", "vi": "Y tế số trong đào tạo trước khi hành nghề"},
    "12": {"en": "Digital health in in-service training", "vi": "Y tế số trong đào tạo liên tục"},
    "13": {"en": "Training of the digital health workforce", "vi": "Đào tạo đội ngũ chuyên trách y tế số"},
    "14": {"en": "Public sector digital health careers", "vi": "Lộ trình nghề nghiệp y tế số trong khu vực công"},
    "15": {"en": "Architecture and health information exchange", "vi": "Kiến trúc và trao đổi thông tin y tế"},
    "16": {"en": "Health information standards", "vi": "Tiêu chuẩn thông tin y tế"},
    "17": {"en": "Network readiness", "vi": "Sẵn sàng về hạ tầng mạng"},
    "18": {"en": "Infrastructure maintenance planning and support", "vi": "Kế hoạch và hỗ trợ bảo trì hạ tầng"},
    "19": {"en": "Digital health systems at scale", "vi": "Hệ thống y tế số triển khai trên diện rộng"},
    "20": {
        "en": "Identity of providers and facilities (registries, GIS)",
        "vi": "Định danh người hành nghề và cơ sở (danh mục, GIS)",
    },
    "21": {"en": "Digital identity of individuals for health", "vi": "Định danh điện tử cá nhân trong y tế"},
    "21a": {"en": "Digital identity of individuals: birth registration", "vi": "Định danh cá nhân: đăng ký khai sinh"},
    "21b": {"en": "Digital identity of individuals: death registration", "vi": "Định danh cá nhân: đăng ký khai tử"},
    "21c": {
        "en": "Digital identity of individuals: unique identifier",
        "vi": "Định danh cá nhân: mã định danh duy nhất",
    },
    "22": {"en": "Secure patient feedback systems", "vi": "Hệ thống phản hồi an toàn của người bệnh"},
    "23": {"en": "Digital health in population health management", "vi": "Y tế số trong quản lý sức khỏe dân cư"},
}


def name(code: str, lang: str) -> str:
    names = NAMES.get(code)
    if names is None:
        return f"GDHM {code}"
    return names.get(lang, names["en"])
