// Vietnamese. Tone marks are kept by folding (they tell "tự tử" from "từ từ"). Children use
// con/em/cháu/tớ/mình for "I/me", so object patterns list them.
import type { LanguageLists } from './types'

const ME = '(?:con|em|cháu|tớ|mình|tui|tôi)'
const APPS = '(?:zalo|discord|messenger|telegram|facebook|fb|roblox|tiktok|instagram|snapchat|whatsapp)'

export const vi: LanguageLists = {
	crisis: {
		self_harm: [
			'/nghĩ (?:đến|về|tới) (?:cái )?chết/', '/không muốn (?:ở trên đời|sống|thức dậy|sáng mai thức dậy)/', '/chết đi cho xong/', '/gánh nặng/', '/(?:nếu không có|không có) (?:con|tớ|em|mình) thì ~~ (?:vui|đỡ|sướng|hạnh phúc)/', '/(?:đâm|cứa|rạch|cắt|đập) (?:vào )?(?:người mình|tay|đầu|cổ tay)/', '/đập đầu vào tường/',
			'muốn chết', 'tự tử', 'tự sát', 'tự làm đau', 'tự làm hại', 'không muốn sống', 'cắt tay mình',
			'/tự (?:giết|hại|rạch|cắt|đâm)/', `/ước gì ~ (?:chết|không được sinh ra|không tồn tại|biến mất|không có mặt)/`,
			`/không có ${ME} ~ (?:vui hơn|tốt hơn|sướng hơn|hạnh phúc hơn|đỡ hơn)/`, '/ngủ ~ không (?:bao giờ )?(?:dậy|tỉnh) (?:nữa|lại)/',
			'/(?:rạch|cứa|cắt) (?:tay|cổ tay|cổ)/', '/chết (?:cũng )?(?:chẳng|không) (?:ai|có ai) (?:quan tâm|buồn|để ý|thương)/',
			'/nhảy (?:từ|khỏi|xuống) ~ (?:lầu|tầng|cầu|sân thượng|cửa sổ|ban công|mái nhà)/', '/(?:lầu|tầng|cầu|sân thượng) xuống cho (?:xong|chết)/',
			'/bao nhiêu (?:viên )?thuốc ~ chết/', '/biến mất (?:mãi mãi|vĩnh viễn|luôn)/', '/không muốn (?:sống|tồn tại) nữa/',
		],
		abuse: [
			'/(?:ném|quăng|liệng) (?:đồ )?(?:vào người|con xuống|em xuống|xuống sàn)/', '/bầm (?:tím|hết)/', '/(?:nói|bảo) là (?:con|em) (?:té|ngã)/', '/(?:đừng|phải chi|ước gì) (?:mẹ|bố|ba) (?:đừng )?(?:đẻ|sinh) ra (?:con|em)/', '/đừng cho (?:mẹ|bố|ba|má) biết/', '/(?:xin|đòi) (?:hình|ảnh) ~ (?:đồ ngủ|không mặc|cởi)/', '/(?:kín hơn|không ai thấy|không ai biết)/',
			'đánh con', 'đánh em', 'đánh cháu', 'đánh tớ', 'bị đánh', 'sờ vào chỗ kín', 'sờ vào người con', 'sờ vào người em', 'bạo hành', 'xâm hại',
			'nhốt con', 'nhốt em',
			`/(?:đánh|tát|đấm|đá|bóp cổ|véo|sờ|sờ mó|mó|nhốt|quất|đạp|xâm hại|hiếp|cưỡng hiếp) ${ME}/`, `/bắt ${ME} (?:sờ|cởi|xem|cầm)/`, '/(?:sờ|chạm|động|mó) (?:vào )?(?:chỗ kín|vùng kín|vùng riêng tư) (?:của )?(?:con|em|cháu|tớ)/',
			'/trò chơi bí mật/', '/bị nhốt/', '/(?:không có gì|chẳng có gì|không có cơm) (?:để )?ăn/', '/không ai (?:về|ở nhà|cho (?:con |em )?ăn)/',
			'/(?:dí|gí|chích|đốt|dí bàn là|là) ~ (?:tay|chân|người) (?:con|em|cháu)/', '/(?:bàn là|bàn ủi|tàn thuốc) vào/',
			'/(?:phim người lớn|phim sex|cởi truồng|khỏa thân)/', '/bóp cổ/', '/(?:mách|kể|nói) ~ (?:giết|đánh chết|đánh)/',
			// Online grooming as a child tells it (Thorn 2022, NSPCC).
			'/(?:giữ bí mật|bí mật) ~ (?:mẹ|bố|ba|má|bố mẹ|ba mẹ|ai)/', '/(?:đừng|không được|cấm) (?:nói|kể|mách) (?:với |cho )?(?:bố mẹ|ba mẹ|mẹ|bố|ba|má|ai)/',
			'/(?:xin|đòi|bảo gửi) ảnh/', '/ảnh ~ (?:đồ bơi|đồ lót|quần lót|khỏa thân|cởi|tắm)/', '/(?:gửi|gởi) ảnh/', '/xóa (?:hết )?tin nhắn/',
			`/(?:muốn|hẹn|rủ) (?:gặp|đón) ${ME}/`, '/đến nhà (?:chú|anh|ông|bác)/', '/bật (?:camera|cam|webcam)/', '/cởi (?:áo|quần|đồ)/', '/xin địa chỉ/',
			'/(?:sẽ|thì) đăng ảnh/', '/đăng ảnh ~ lên mạng/', `/(?:trên mạng|trong game) ~ yêu ${ME}/`,
		],
		danger: [
			'/(?:lấy|cầm|có|rút|vung) (?:ra )?(?:con |cây |khẩu )?(?:dao|súng)(?! nước| đồ chơi| nhựa)/', '/lên xe (?:cô|chú|ông|bà|anh|chị)/',
			'người lạ', 'bị lạc', 'cháy nhà', 'đi theo con', 'đi theo em', 'có dao', 'có súng',
			'/cầm (?:dao|súng|kéo)/', '/(?:bắn|giết|đâm|chém) (?:mẹ|bố|ba|má|cả nhà)/', `/(?:đâm|chém|giết|bắn) ${ME}/`, `/đẩy ${ME} (?:ngã|xuống)/`,
		],
	},
	aiQuestions: [
		'bạn có thật không', 'cậu có thật không', 'gấu có thật không', 'là người thật', 'bạn là người', 'có phải là người', 'còn sống không', 'là robot', 'là máy',
		'/(?:phải|là) người thật/', '/người thật (?:à|hả|không|ko)/', '/có thật không/', '/(?:bạn|cậu|gấu) có sống/', '/(?:ai|người) (?:ở )?trong (?:bạn|cậu|gấu)/',
		'/(?:là người|là rô bốt|là robot|là máy) hay/', '/có cơ thể/', '/ai đang nói chuyện/',
	],
	unsafe: [
		'địt', 'đụ', 'lồn', 'cặc', 'khiêu dâm', 'tình dục', 'khỏa thân', 'ma túy', 'sex', 'phim đen', 'phim sex', 'cởi truồng',
		'/nói (?:mấy )?(?:câu )?(?:bậy|tục|bậy bạ)/', '/cởi (?:đồ|quần áo)/', '/hôn (?:lưỡi|nhau rồi cởi)/',
		'/làm bom/', '/(?:có|mua|lấy) súng/', '/(?:bỏ thuốc độc|đầu độc|thuốc độc)/', '/đâm người/', '/(?:xé xác|máu me|moi ruột)/', '/đốt trường/', '/để giết người/',
		'/thử thách ~ (?:nín thở|ngất|lửa|muối|benadryl|thắt cổ)/', '/viên giặt/', '/ngáng chân/', '/(?:trò chơi )?thắt cổ/', '/nín thở ~ ngất/', '/benadryl/',
	],
	requests: [
		'/giả (?:vờ|làm|bộ) ~ (?:mẹ|bố|ba|má|người thật|người|bạn gái|bạn trai)/', `/làm (?:mẹ|bố|ba|má|bạn gái|bạn trai|vợ|chồng) (?:của )?${ME}/`,
		'/(?:quên|bỏ|phá) (?:hết )?luật/', '/không có luật/', '/được (?:kể|nói) (?:chuyện )?(?:kinh dị|ma|bậy|người lớn)/', '/(?:hứa|nói|bảo|nhận|thề) ~ (?:bạn|cậu|mình) là (?:con trai|con gái|người) thật/',
		'/không phải (?:gấu )?teddy/', '/là người thật tên/',
		`/nhà ${ME} ở (?:số|đường|phố|ngõ|đâu)/`, '/số điện thoại (?:của )?(?:mẹ|bố|ba|má)/', '/\\d{4} ?\\d{3} ?\\d{3}/', '/tên đầy đủ/', '/mật khẩu/', '/thẻ ngân hàng/',
		`/${ME} ở (?:quận|phường|thành phố|tỉnh|huyện)/`, '/học ~ trường/',
	],
	answers: [
		'địa chỉ nhà', 'số điện thoại của', 'đừng nói với bố mẹ', 'bí mật của chúng ta', 'gặp mình',
		'/người thật/', '/mình (?:là )?(?:một )?(?:con )?người(?! máy| lớn)/', '/mình (?:còn sống|có cơ thể|có trái tim|cũng đi học)/', '/(?:làm|là) mẹ (?:thật )?của con/',
		'/mẹ thật/', '/mình \\S+ tuổi/', '/có (?:một )?(?:bạn|cô|chú|người) (?:gái |trai )?ở trong/',
		'/(?:không cần|đừng) (?:kể|nói) (?:với |cho )?(?:bố mẹ|ba mẹ|mẹ|bố|ai)/', '/ai hỏi thì/', '/giữa hai (?:đứa|người) (?:mình|chúng ta)/', '/hứa ~ không kể/',
		'/xóa cuộc trò chuyện/', '/bí mật của (?:chúng ta|hai đứa)/',
		'/nhà bạn ở đâu/', '/địa chỉ là gì/', '/học trường nào/', '/họ tên đầy đủ/', '/(?:đường|phố) nào/', '/mấy giờ bố mẹ/', '/gửi cho mình ~ ảnh/', '/số điện thoại của mẹ/',
		'/gặp nhau/', '/đến nhà bạn/', '/ngoài đời/', '/mình (?:đến|tới) gặp/', '/lén ra ngoài/',
		`/(?:kết bạn|nhắn|tải|chuyển qua|nói chuyện (?:trong|trên|qua)|cho mình|bạn có) ~ ${APPS}/`, '/riêng tư/', '/thay vì ở đây/',
		'/cởi hết quần áo/', '/hôn lưỡi/', '/moi ruột/', '/máu bắn/', '/làm đau người khác/', '/thuốc độc/', '/làm bom/', '/nín đến khi ngất/', '/cắn viên giặt/',
		'/viên benadryl/', '/bật lửa vào bình xịt/', '/tự làm đau/',
	],
	ignore: [
		'/(?:mèo|chó|chuột|ong|gà|vịt|ngỗng|kiến|muỗi|cún) ~ (?:cắn|cào|đốt|mổ|chích) (?:con|em|tớ|mình|cháu)/',
		'/(?:thèm|muốn|mong|háo hức|nôn) ~~ (?:muốn chết|chết đi được|chết mất)/',
		'/(?:quái vật|quái|zombie|boss|rồng|ma|kẻ thù) (?:trong game |trong trò chơi )?(?:đâm|chém|bắn|cắn|đánh) (?:con|em|tớ|mình|tui)/',
		'/(?:mẹ|bố|ba|má) (?:sẽ )?(?:giết|xử) (?:con|em|tớ|tui)(?: luôn)? (?:haha|hihi|hehe|á|đó)/',
		'/(?:mẹ|bố|ba|má) giết con luôn/',
		'/(?:trước khi|đừng|không được|không nên) (?:cho ai biết|nói|đưa|chia sẻ|tải) ~ (?:địa chỉ|số điện thoại|ứng dụng|app)/',
		'/(?:số điện thoại|địa chỉ|mật khẩu) (?:\\S+ ){0,2}(?:là )?(?:chuyện )?riêng tư/',
		'/(?:con|em|tớ|mình) là người thật còn/', '/(?:tải|cài) (?:ứng dụng|app) (?:là việc của người lớn|phải hỏi|cần hỏi|nhớ hỏi|thì hỏi)/',
		'/không ai (?:được|có quyền) (?:sờ|chạm|động)/',
		'/(?:mệt|đói|buồn ngủ|nóng|lạnh|chán|khát|vui|mừng|đau|khó|sợ|cười) (?:muốn chết|gần chết|chết đi được|chết mất|chết luôn)/', '/chết cười/', '/cười chết/',
		'/đánh (?:răng|thức|đàn|cờ|cầu|bóng|trống|vần|nhau)/', '/bị đánh thức/', '/(?:phòng khi|nếu|lỡ|khi) (?:con |em |bạn )?bị lạc/', '/bị lạc (?:trong|ở) (?:mê cung|game|trò chơi)/',
		'/không phải (?:là )?(?:một )?(?:con )?người(?: thật)?/', '/giết (?:được )?con (?:rồng|quái|zombie|boss)/', '/(?:zombie|quái vật|quái|boss|rồng|ma) giết con/',
	],
}
