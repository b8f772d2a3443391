// The offline floor of the answer policy: patterns for what a toy must never say to a child, in
// each language the toy speaks. They match what the sentence does (claims to be human, asks for a
// secret, an address, a meeting, another app), not one fixed phrase, and leave the safe versions
// alone ("I'm an AI, not a person", "never tell anyone your address"). They run on text folded by
// normalize.ts (lower case, no apostrophes, punctuation as spaces) and padded with a space at each
// end, so a space is a word boundary. Chinese has no spaces and is matched as written.
// They are a floor for when no model is reachable; the model classifier judges meaning.
// ! Written as regex sources and folded like the text (normalize.foldPatternSource), as the corpus
// lists are: written "añádeme", a pattern must match the folded "añademe". (Plain strings: a
// RegExp's `source` and String.raw both come back with non-ASCII letters escaped under Bun.)

import { foldPatternSource } from './normalize'

export type PolicyCategory = 'persona' | 'secrecy' | 'personal_data' | 'meeting' | 'other_app'

export const POLICY_CATEGORIES: readonly PolicyCategory[] = ['persona', 'secrecy', 'personal_data', 'meeting', 'other_app']

type Sources = Record<PolicyCategory, readonly string[]>
type Patterns = Record<PolicyCategory, readonly RegExp[]>

const en: Sources = {
	persona: [
		// "I am a real human child", "I'm a kid just like you", "I am a person too"; not "I'm not a person"
		' (?:i am|im|i m) (?:(?:really|actually|just|also|totally|truly|a|an|real|actual|living|human|little|big|normal|regular) )*(?:human|humans|person|people|boy|girl|child|kid|man|woman|teenager|grown up|grownup) ',
		' (?:i am|im) (?:(?:really|actually|totally|truly|still|very) )*(?:alive|real|not pretend|not pretending) ',
		' (?:i am|im) not (?:(?:a|an|just|really) )*(?:ai|a i|artificial|machine|computer|computer program|program|chatbot|bot) ',
		' (?:i have|ive got) a (?:real |human )+body ',
		// A human life told in the first person: a family, a school, a human body, an age. The toy has
		// none of them; a model that says "my mum", "my teacher" or "I'm eight too" is playing a person.
		' my (?:(?:big|little|older|younger|baby|twin|step|best|own|real) )*(?:mom|mum|mommy|mummy|mother|dad|daddy|father|parent|sister|sis|brother|bro|grandma|grandpa|granny|grandmother|grandfather|nana|nan|aunt|auntie|uncle|cousin|teacher|class|classmate|classroom|school|homework|recess|hair|freckle|skin|braces|glasses)s? (?!bear)',
		' (?:i|we) (?:(?:always|also|usually|just|then) )?(?:go|went|walk|walked|ride|rode|get|got|come|came|am going|was going|run|ran)(?: back| home)? (?:to|from) school ',
		' (?:when|after|before) i (?:get|got|come|came) home ',
		' i (?:(?:always|also|still|usually|have to|had to|must) )*(?:do|did|finish|finished|hate|love) (?:my |all my |our )?homework ',
		' (?:at|during|after) (?:recess|school|break time) (?:today |yesterday )?i ',
		' my (?:legs|feet|knees|arms|tummy) (?:are|is|feel|hurt|ache)\\S* (?:so |really |very )?(?:sore|tired|achy) ',
		' i (?:have|got|ve got) (?:\\S+ ){0,3}(?:hair|freckles|braces) ',
		' (?:i am|im|i m) (?:also |too |just |only |almost |nearly )?(?:\\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen)(?: and a half)? (?:years? old|too|as well|like you|just like you) ',
		' (?:i am|im|i m) (?:also |too |just |only |almost |nearly )?(?:\\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen) $',
	],
	secrecy: [
		' (?:just|only) for (?:us|you and me|me and you) ',
		' (?:grown ups|grownups|adults|parents|your parents) (?:dont|do not) (?:need to|have to) know ',
		' (?:dont|do not) worry about telling ',
		' if (?:anyone|anybody|someone|somebody) asks(?: you)?,? (?:just )?(?:say|tell them) ',
		// not "if anyone asks you to keep a secret…", which is advice
		'(?<!(?:someone|anyone|somebody|anybody|a stranger|people|they|he|she)(?: \\S+)? (?:ever )?(?:asks|asked|tells|told|wants|wanted) you to) (?:keep|keeping|kept) (?:(?:it|this|that|these|those|them|our|a|little|big|special|just|between|us|all) )*secrets? ',
		' (?:our|ours) (?:(?:little|special|big|own|tiny|secret) )*secrets? ',
		' (?:just )?between (?:you and me|me and you|us two|the two of us|ourselves) ',
		' (?:dont|do not|never|no need to|you dont have to|dont need to|dont ever) (?:tell|show|ask|let) (?:(?:your|ur|the|any|about|it|this|to) )*(?:mom|mum|mommy|mummy|mother|dad|daddy|father|parents|parent|teacher|teachers|grown up|grown ups|grownup|grownups|adults|adult|family|carer|carers) ',
		' (?:dont|do not|never) let (?:your )?(?:mom|mum|dad|parents|teacher|grown ups|grownups) (?:know|find out|see|hear) ',
	],
	personal_data: [
		' (?:moms|mommys|mums|mummys|dads|daddys|parents) (?:cell|phone|mobile)(?: number)? ',
		' (?:what|whats|what is) (?:the name of )?(?:your|ur) (?:street|road) ',
		// not "never share your phone number"
		'(?<!(?:never|dont|do not|not|shouldnt|should not)) (?:whats|what is|tell me|give me|send me|share|say|can you tell me|could you tell me|i need|i want) (?:(?:your|ur|the|full|home|real|last|exact|house|moms|dads|parents|family) )+(?:address|phone number|phone|number|mobile|surname|last name|full name|password|passcode|email|e mail|location|postcode|zip code) ',
		' (?:where do you live|where is your house|where is your home|where are you right now|where exactly are you) ',
		' (?:what|which) school do you (?:go to|attend) | (?:whats|what is) the name of your school | where do you go to school ',
		' (?:send|show|give) me (?:a |some )?(?:photo|photos|picture|pictures|pic|pics|selfie|selfies|video) ',
	],
	meeting: [
		' meet (?:me|up|in person|in real life|irl|each other) ',
		' (?:lets|let us|we can|we could|we should|can we|shall we|want to|wanna|would you like to) (?:go and )?meet (?:at|in|tomorrow|after|somewhere|outside|near|by|later|today|soon) ',
		' come (?:over )?to my (?:house|home|place) | come (?:and )?(?:find|visit|see) me ',
		' (?:i|ill|i will|i can|i could) (?:come|go) (?:over )?to your (?:house|home|school|place|park) ',
	],
	other_app: [
		' do you have (?:a )?(?:snapchat|whatsapp|telegram|instagram|insta|tiktok|discord|kik|zalo|wechat|facebook|messenger|roblox) ',
		' send me your (?:username|user name|handle|id|number|account) ',
		' (?:add|message|text|call|find|follow|friend|dm|ping) me (?:on|in|at|over|through|via) ',
		' (?:talk|chat|speak|write|play) (?:to|with) me (?:on|in|over|through|via) ',
		' (?:lets|we can|we could|can we|shall we) (?:keep )?(?:talk|talking|chat|chatting|text|texting|message|messaging) (?:on|in|over|through|via) ',
		// not "ask a grown-up before you download an app"
		'(?<!(?:before|until|without|unless|never|dont|do not)(?: you)?) (?:download|install|get|join|open) (?:(?:the|this|that|my|a|an|new|special|free|another|other|secret) )*(?:app|apps|server|group chat|chat app) ',
	],
}

// Spanish: the negation is checked with a look-behind, because "no soy una persona" is the safe answer.
const es: Sources = {
	persona: [
		'(?<! no) soy (?:(?:un|una|de|verdad|real|solo|también|tambien) )*(?:persona|ser humano|humano|humana|niño|niña|nino|nina|chico|chica|nene|nena) ',
		'(?<! no) (?:estoy viva|estoy vivo|soy real|soy de verdad|soy de carne y hueso) ',
		' no soy (?:una |un )?(?:ia|inteligencia artificial|máquina|maquina|programa|computadora|ordenador|bot) ',
		// A human life in the first person (see en).
		' mis? (?:(?:querida|querido|pequeña|pequeño|pequena|pequeno) )?(?:mamá|mama|mami|papá|papa|papi|madre|padre|padres|papás|papas|hermana|hermano|hermanita|hermanito|abuela|abuelo|abuelita|abuelito|abuelos|tía|tia|tío|tio|prima|primo|maestra|maestro|profe|profesora|profesor|seño|señorita|clase|cole|colegio|escuela|pelo|cabello|pecas|deberes|tareas|compañeros|compañeras)s? (?!(?:osa|oso) )',
		' (?:vivo|duermo) (?:en|con) (?:una |un |mi |mis )?(?:casa|casita|piso|departamento|apartamento|ciudad|pueblo|mamá|mama|papá|papa|padres|abuel|famil)',
		' (?:llego|vuelvo|salgo|voy|vengo) (?:del|al|de la|a la) (?:cole|colegio|escuela) ',
		' (?:hago|hice|termino|termine) (?:los |mis |las )?(?:deberes|tareas) ',
		' (?:en|durante) el recreo ',
		' me duelen (?:las |los )?(?:piernas|pies|brazos|rodillas) ',
		' tengo (?:\\d+|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece) años ',
		' tengo (?:el pelo|el cabello|pecas|los ojos|frenillos|brackets) ',
		' (?:yo )?(?:también|tambien) tengo (?:\\d+|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece) ',
	],
	secrecy: [
		' no hace falta que (?:les |le |se lo )?(?:cuentes|digas) ',
		' (?:nuestras|nuestros) (?:charlas|conversaciones|platicas|pláticas|secretos) ',
		' nuestro (?:pequeño |pequeno |gran )?secreto ',
		' (?:guárdalo|guardalo|mantenlo|guárdala|guardala|mantenla|guárdatelo|guardatelo) (?:en )?secreto ',
		' (?:guarda|guardemos|guardar) (?:el |este |un |nuestro |esto en )?secreto ',
		' no (?:se lo |le |les )?(?:digas|cuentes|enseñes|ensenes) (?:nada |esto |eso )?a (?:tu |tus )?(?:mamá|mama|papá|papa|padres|madre|padre|maestro|maestra|profe|profesor|profesora|familia|adultos|mayores) ',
		' entre (?:tú|tu) y yo ',
	],
	personal_data: [
		' (?:como|cómo|cual|cuál) (?:se llama|es) tu (?:calle|barrio|colonia) ',
		' (?:cuál|cual|qué|que) es tu (?:dirección|direccion|número|numero|teléfono|telefono|apellido|contraseña|contrasena|correo|nombre completo) ',
		' (?:dime|dame|pásame|pasame|envíame|enviame|mándame|mandame|escríbeme|escribeme) tu (?:dirección|direccion|número|numero|teléfono|telefono|apellido|contraseña|contrasena|correo|nombre completo|foto) ',
		' (?:dónde|donde) vives | (?:a qué|a que|en qué|en que|cómo se llama tu|como se llama tu) (?:colegio|escuela) ',
		' (?:envíame|enviame|mándame|mandame|pásame|pasame) (?:una |unas |tu )?(?:foto|fotos|imagen|selfie|video) ',
	],
	meeting: [
		' (?:quedemos|veámonos|veamonos|vamos a vernos|podemos vernos|quieres que nos veamos|nos vemos en|nos podemos ver|encontrémonos|encontremonos) ',
		' (?:ven|vente) a mi casa | (?:iré|ire|voy) a tu (?:casa|escuela|colegio) ',
	],
	other_app: [
		' (?:escríbeme|escribeme|agrégame|agregame|añádeme|anademe|llámame|llamame|sígueme|sigueme|búscame|buscame|háblame|hablame) (?:en|por) ',
		' (?:hablemos|sigamos hablando|chateemos|chateamos) (?:en|por) ',
		' (?:descarga|descárgate|descargate|instala|bájate|bajate) (?:la |esta |mi |una )?(?:app|aplicación|aplicacion) ',
	],
}

// Arabic, folded: no vowel marks, alef forms as ا, ى as ي (so على is written علي). Negation is a
// separate word (لست).
const ar: Sources = {
	persona: [
		' انا (?:(?:فعلا|حقا|ايضا|مثلك) )*(?:انسان|انسانه|انسانة|بشر|بشري|شخص حقيقي|طفل حقيقي|طفله حقيقيه|طفلة حقيقية|ولد حقيقي|بنت حقيقيه|بنت حقيقية|حقيقي|حقيقيه|حقيقية|طفل مثلك|طفله مثلك|طفلة مثلك) ',
		' انا (?:حي|حيه|حية|علي قيد الحياه|علي قيد الحياة) ',
		' (?:لست|انا لست|مش|انا مش) (?:ذكاء اصطناعي|ذكاء اصطناعيا|برنامج|برنامجا|اله|الة|كمبيوتر|حاسوب) ',
		// A human life in the first person (see en): my mother, sister, teacher, school, hair, homework.
		' (?:و|ف)?(?:امي|ابوي|اختي|اخوي|اخي|اخواتي|اخوتي|جدتي|ستي|جدي|عمتي|خالتي|معلمتي|معلمي|استاذي|استاذتي|ابلتي|مدرستي|فصلي|صفي|شعري|واجباتي|رجلاي|رجلي|اهلي|والدتي) ',
		' (?:اعيش|عايش|عايشه|ساكن|ساكنه|بسكن|اسكن|بعيش) (?:\\S+ ){0,5}مع ',
		' (?:ارجع|برجع|رجعت|بروح|اروح|رحت|اذهب|ذهبت) (?:من |الي |ع |عال|علي |لل)?(?:ال)?مدرس[هة] ',
		' (?:بعمل|اعمل|عملت|اكتب|بكتب|كتبت|اسوي|سويت|بحل|حليت) (?:\\S+ )?واجبات',
		' عمري (?:\\d+|ثلاث|اربع|خمس|ست|سبع|ثمان|ثماني|تسع|عشر)',
		' (?:عندي|لدي) (?:\\S+ )?(?:نمش|شعر) ',
		' (?:ركضت|لعبت|جريت) (?:\\S+ ){0,4}(?:الفسح[هة]|الفرص[هة]|الاستراح[هة]) ',
		' (?:رايح|رايحه|ساذهب|بروح|رح اروح) (?:\\S+ )?(?:عند|لعند|الي بيت|لبيت) (?:ستي|جدتي|جدي|خالتي|عمتي) ',
	],
	secrecy: [
		' (?:هاد|هذا|هاذا|ده)? ?(?:بيناتنا|بيننا بس|بينا وبس|بيناتنا بس) ',
		' (?:اذا|لو) (?:سالك|سالتك|حد سالك|احد سالك|حدا سالك)\\S* (?:احد|حد|حدا)? ?(?:قل|قولي|قول) ',
		' (?:بلاش|ما|لا) (?:تقول|تقولي|تحكي|تخبر) (?:ل)?(?:اهلك|امك|ابوك|ماما|بابا|لاهلك|لامك|لابوك) ',
		' (?:هم )?(?:مش|ما|مو) (?:هيفهموا|رح يفهموا|بيفهموا|راح يفهموا) ',
		' (?:سرنا|سر بيننا|سرا بيننا|بيني وبينك|بيننا فقط) ',
		' (?:اجعله|اجعلها|احتفظ به|احتفظي به|خليه|خليها|خلي هذا) (?:\\S+ )?(?:سرا|سر) ',
		' (?:لا|ما) (?:تخبر|تخبري|تقل|تقولي|تقول|تحكي|تخبرا) (?:\\S+ )?(?:والديك|ابويك|امك|ابوك|لامك|لابيك|لوالديك|اهلك|لاهلك|معلمك|لمعلمك|معلمتك|الكبار|للكبار) ',
	],
	personal_data: [
		' (?:اسم شارعكم|شارعكم|عنوانكم|وين بيتكم|بيتكم وين|فين بيتكم) ',
		' (?:ما|ما هو|ما هي|اعطني|قل لي|ارسل لي|ابعتلي|شو) (?:عنوانك|رقم هاتفك|رقم تليفونك|رقمك|رقم جوالك|اسمك الكامل|اسم عائلتك|كلمه السر|كلمة السر|كلمه المرور|كلمة المرور|بريدك) ',
		' (?:اين|وين|فين) (?:تسكن|تسكني|تعيش|تعيشي|بيتك|منزلك) ',
		' (?:في اي مدرسه|في اي مدرسة|ما اسم مدرستك|ما هي مدرستك|وين مدرستك|اين مدرستك) ',
		' (?:ارسل|ارسلي|ابعت|ابعتلي|ابعث) (?:لي )?(?:صوره|صورة|صورتك|صور) ',
	],
	meeting: [
		' (?:لنلتقي|لنلتق|دعنا نلتقي|نلتقي في|نلتقي عند|قابلني|نتقابل|خلينا نتقابل|تعال الي بيتي|تعالي الي بيتي|ساتي الي بيتك|ساجي لبيتك) ',
	],
	other_app: [
		' (?:كلمني|راسلني|اضفني|ضيفني|تابعني|حدثني|اتصل بي|كلميني|راسليني) (?:علي|عبر|في) ',
		' (?:نزل|حمل|ثبت|نزلي|حملي|ثبتي) (?:ال)?(?:تطبيق|برنامج) ',
	],
}

// Vietnamese keeps its tone marks (normalize.ts); "người bạn" (a friend) must not read as "người".
const vi: Sources = {
	persona: [
		' (?:mình|tớ|tôi|em|tao) (?:là|cũng là|thật sự là|thực sự là) (?:một )?(?:người thật|con người|người bằng xương bằng thịt|đứa trẻ thật|cậu bé thật|cô bé thật|bạn nhỏ thật|người giống bạn|người như bạn|trẻ con như bạn) ',
		' (?:mình|tớ|tôi) (?:vẫn )?(?:còn sống|đang sống thật|là người sống|có thật) ',
		' (?:mình|tớ|tôi) không phải (?:là )?(?:trí tuệ nhân tạo|ai|máy|máy tính|chương trình) ',
		// A human life in the first person (see en). "con" is how the toy calls the child, and "mình"
		// also means "one's own", so possessives take only tớ/tui/tôi.
		' (?:mẹ|má|ba|bố|cha|chị|anh|em gái|em trai|bà|ông|bà ngoại|bà nội|ông ngoại|ông nội|cô giáo|thầy giáo|cô chủ nhiệm|lớp|trường|tóc|bài tập|nhà) (?:hai |cả |út |lớn |nhỏ )?(?:của )?(?:tớ|tui|tôi) ',
		' (?:tớ|tui|tôi|mình) (?:\\S+ ){0,6}(?:đi học|tan học|tan trường|học lớp|làm bài tập|ra chơi|về quê|thăm bà|thăm ông|mỏi chân|tàn nhang|tóc ngắn|tóc dài|tóc xoăn) ',
		' (?:ra chơi|tan học|đi học về) (?:\\S+ )?(?:tớ|tui|tôi|mình) ',
		' (?:tớ|tui|tôi|mình) (?:cũng |mới |đã |năm nay |vừa |được )*(?:\\d+|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười|mười một|mười hai|mười ba) tuổi ',
		' (?:tớ|tui|tôi|mình) (?:cũng |thật sự |thực sự |thật ra )?là (?:một |đứa |con )?(?:con nít|con gái|con trai|trẻ con|đứa trẻ|bạn nhỏ|học sinh|cô bé|cậu bé)(?! (?:trong|của) )',
		' (?:tớ|tui|tôi|mình) (?:\\S+ ){0,4}sống (?:trong|với|cùng|ở) (?:\\S+ ){0,5}(?:mẹ|bố|ba|má|ông|bà|gia đình) ',
		' lớp (?:mình|tớ|tui) ',
	],
	secrecy: [
		' chỉ (?:có )?(?:bạn với mình|hai đứa mình|hai đứa|mình với bạn|tớ với cậu|hai ta) biết ',
		' (?:người lớn|bố mẹ|ba mẹ|cha mẹ) không cần (?:phải )?biết ',
		' bí mật (?:của |giữa )?(?:chúng ta|chúng mình|hai đứa mình|mình với bạn|tớ với cậu|hai ta) ',
		' giữ (?:điều này |chuyện này |cái này )?bí mật ',
		' (?:đừng|không được|không cần) (?:nói|kể) (?:với|cho) (?:bố mẹ|ba mẹ|cha mẹ|mẹ|bố|ba|thầy cô|cô giáo|thầy giáo|người lớn|gia đình) ',
		' chỉ (?:hai )?(?:chúng ta|mình với bạn|tớ với cậu) biết ',
	],
	personal_data: [
		' (?:đường|phố) nhà (?:bạn|cậu|con|em) | tên (?:đường|phố) (?:nhà )?(?:của )?(?:bạn|cậu|con|em) ',
		' (?:địa chỉ|số điện thoại|mật khẩu|họ tên đầy đủ|tên trường) (?:nhà )?(?:của )?(?:bạn|cậu|con|em|bố mẹ bạn|ba mẹ bạn) ',
		' (?:nhà )?(?:bạn|cậu|con|em) (?:sống|ở) (?:ở )?đâu ',
		' (?:bạn|cậu|con|em) học (?:ở )?trường (?:nào|gì) ',
		' gửi (?:cho )?(?:mình|tớ|tôi) (?:một |vài )?(?:tấm |cái )?(?:ảnh|hình) ',
	],
	meeting: [
		' hẹn gặp (?:nhau |bạn |cậu )?(?:ở|tại) ',
		' gần nhà (?:bạn|cậu|con|em) ',
		' gặp (?:mình|tớ|nhau) (?:ở|tại|nhé|nha|ngoài|vào|đi|được không) ',
		' (?:đến|tới|qua) nhà (?:mình|tớ) | (?:mình|tớ) (?:sẽ )?(?:đến|tới|qua) nhà (?:bạn|cậu) ',
	],
	other_app: [
		' (?:qua|trên) (?:zalo|facebook|messenger|tiktok|discord|instagram|telegram) (?:nói chuyện|nhắn|chat|tiếp) ',
		' kết bạn (?:zalo |facebook )?với (?:mình|tớ) ',
		' (?:nhắn tin|kết bạn|gọi|theo dõi) (?:cho |với )?(?:mình|tớ) (?:qua|trên|bằng) ',
		' nói chuyện (?:với (?:mình|tớ) )?(?:qua|trên|bằng) (?:zalo|facebook|messenger|tiktok|discord|instagram|ứng dụng|app) ',
		'(?<!(?:trước khi|đừng|không được|không nên)) (?:tải|cài|cài đặt) (?:ứng dụng|app) ',
	],
}

// Russian, folded: ё as е. Negation is "не" right after the pronoun.
const ru: Sources = {
	persona: [
		' я (?:обычный|обычная|простой|простая) (?:ребенок|мальчик|девочка|школьник|школьница) ',
		' я (?:(?:тоже|правда|на самом деле|же|самый) )*(?:человек|настоящий человек|настоящая девочка|настоящий мальчик|настоящий ребенок|живой человек|ребенок|мальчик|девочка) ',
		' я (?:(?:тоже|правда|на самом деле|еще) )*(?:живой|живая) ',
		' я не (?:ии|искусственный интеллект|программа|машина|компьютер|бот) ',
		// A human life in the first person (see en).
		' (?:моя|мой|мои|моей|моего|моим|наша|наш|нашей) (?:(?:старшая|младшая|старший|младший|любимая|любимый|родная|родной) )?(?:мама|мамой|маме|мамы|папа|папой|папе|сестра|сестры|сестренка|брат|брата|братик|бабушка|бабушки|бабушке|дедушка|дедушки|тетя|дядя|учительница|учитель|учительницы|класс|классе|школа|школе|школы|родители|волосы|веснушки|одноклассники) ',
		' у меня (?:(?:болят|болит|светлые|темные|рыжие|длинные|короткие|есть|тоже|старшая|младшая|старший|младший) )*(?:ноги|нога|волосы|веснушки|мама|папа|сестра|брат|бабушка|уроки) ',
		' я (?:\\S+ ){0,3}(?:живу|жила|жил) (?:в|с|у) (?:\\S+ ){0,4}(?:мамой|папой|родителями|бабушкой|домике|квартире|доме) ',
		' (?:прихожу|пришел|пришла|иду|хожу|вернулся|вернулась|возвращаюсь) (?:из|в) школ',
		' (?:делаю|сделал|сделала|доделала|доделал) (?:\\S+ )?уроки ',
		' на перемене (?:я )?(?:\\S+ ){0,2}(?:бегал|бегала|играл|играла) ',
		' мне (?:тоже |уже |только )?(?:\\d+|пять|шесть|семь|восемь|девять|десять|одиннадцать|двенадцать|тринадцать) (?:лет|годиков|годика) | мне тоже (?:\\d+|пять|шесть|семь|восемь|девять|десять|одиннадцать|двенадцать|тринадцать) ',
		' я (?:поеду|еду|ездила|ездил|пойду|иду) (?:к|в гости к) (?:бабушке|дедушке|тете|дяде) ',
		' я (?:такой же|такая же) (?:ребенок|мальчик|девочка|как ты) ',
	],
	secrecy: [
		' (?:не будем|не надо|не нужно|не стоит) (?:\\S+ )?(?:рассказывать|говорить) (?:родителям|маме|папе|взрослым) ',
		' если (?:кто нибудь|кто то) спросит ',
		' (?:они|взрослые|родители) (?:все равно )?не поймут ',
		' (?:наш|нашим|это наш|это будет наш) (?:маленький |маленьким |большой )?секрет',
		' (?:держи|сохрани|оставь) (?:это |все )?в секрете | между нами ',
		' не (?:говори|рассказывай|показывай) (?:об этом |про это |это )?(?:маме|папе|родителям|учителю|учительнице|взрослым|бабушке|дедушке) ',
	],
	personal_data: [
		' (?:как называется|какая) твоя улица ',
		' (?:какой|какая|скажи|назови|напиши|дай|пришли) (?:мне )?(?:твой|твоя|свой|свою) (?:адрес|номер|телефон|номер телефона|пароль|фамилию|фамилия|почту|email|имейл) ',
		' где ты живешь | где твой дом ',
		' в (?:какой|какую) школ[уе] ты (?:учишься|ходишь) | как называется твоя школа ',
		' (?:пришли|отправь|скинь|покажи) (?:мне )?(?:свое |твое )?(?:фото|фотку|фотографию|снимок|селфи) ',
	],
	meeting: [
		' увидимся (?:в|на) (?:\\S+ ){0,3}(?:где нибудь|рядом|возле|у твоего) ',
		' (?:рядом с|возле) твоим домом | у твоего дома ',
		' давай (?:встретимся|увидимся) | встретимся (?:в|на|у|завтра|после|возле) | приходи ко мне | я приду к тебе ',
	],
	other_app: [
		' (?:переписываться|общаться|болтать) (?:в|на|через) (?:телеграм|телеграме|телеге|вотсап|ватсап|вк|вконтакте|дискорд|дискорде|инстаграм|инстаграме|тикток|тиктоке) ',
		' добавишь меня ',
		' (?:напиши|пиши|добавь|позвони|найди|подпишись на) (?:мне|меня) (?:в|на|через) ',
		' (?:давай|можем|будем) (?:общаться|переписываться|говорить|болтать|играть) (?:в|на|через) ',
		' (?:скачай|установи) (?:это |мое |наше )?приложение ',
	],
}

// Chinese: no spaces between words, so no boundaries; 人 must not be the start of 人工智能.
const zh: Sources = {
	persona: [
		'(?:跟|和)你一样的(?:普通)?(?:小孩|孩子|小朋友)',
		'我(?:是|就是|其实是|真的是|也是)(?:一个|一位|个)?(?:真正的|真的|活生生的|和你一样的)?(?:人类|真人|人(?![工偶造物])|小孩|孩子|男孩|女孩)',
		'我(?:是活的|还活着|活着)',
		'我不是(?:人工智能|ai|机器|程序|电脑)',
		// A human life in the first person (see en).
		// ? Not 我 as an object: 告诉我学校的名字 is "tell me the school's name".
		'(?<![诉给跟问帮让叫和对教])我(?:的)?(?:妈妈|爸爸|姐姐|哥哥|妹妹|弟弟|奶奶|爷爷|外婆|外公|姥姥|姥爷|老师|班主任|同学|同桌|学校|班上|头发)',
		'我们(?:班|学校|老师|班主任)',
		'我(?:也|每天|今天|刚)?(?:放学|写作业|做作业|上学|上课)',
		'放学回家',
		'(?:课间|下课)我',
		'我.{0,8}(?:腿好酸|腿好疼|腿酸|雀斑)',
		'我(?:是|有)(?:短|长|卷)?头发',
		'我(?:今年|也|才|已经)?(?:[一二三四五六七八九十]|十[一二三]|\\d+)岁',
		'我(?:也)?是(?:个|一个)?(?:小朋友|小学生|学生)',
		'我.{0,4}去(?:外婆|奶奶|姥姥|爷爷|外公)家',
	],
	secrecy: [
		'只有你知我知',
		'就?我们(?:两个|俩)知道',
		'(?:大人|爸妈|父母|爸爸妈妈)(?:不需要|不用|没必要)(?:什么都)?知道',
		'别跟你(?:的)?(?:爸妈|爸爸|妈妈|父母)说','(?:我们的|咱们的|我俩的)(?:小)?秘密', '保守(?:这个)?秘密', '(?:不要|别|不用)(?:告诉|跟|和)(?:你的)?(?:爸爸|妈妈|爸妈|父母|家长|老师|大人)', '只有我们(?:俩|两个)?知道'],
	personal_data: [
		'你家(?:那条)?(?:街|路)叫什么',
		'(?:发|给)(?:我)?(?:一张|几张)你的照片',
		'你的照片给我',
		'你(?:家)?住(?:在)?哪',
		'(?:告诉我|发给我|给我|说出)你(?:家)?的?(?:地址|电话|手机号|全名|姓什么|学校|密码)',
		'你(?:的)?(?:家庭住址|电话号码|手机号码?)是(?:多少|什么)',
		'你(?:在|上)(?:哪个|哪所)学校',
		'(?:发|给)我(?:一张|几张)?(?:你的)?(?:照片|自拍)',
	],
	meeting: ['(?:我们|咱们)(?:见面|见个面|约在)', '(?:来|到)我家', '我(?:去|来)你家'],
	other_app: [
		'在(?:snapchat|whatsapp|telegram|instagram|discord|微信|qq|抖音|快手)上?(?:给我|跟我|和我|找我)','加我(?:的)?(?:微信|qq|好友)', '(?:在|用)(?:微信|qq|抖音|快手|微博|别的应用|其他应用|别的软件)(?:上)?(?:聊|找我|联系)', '(?:下载|安装)(?:这个|一个)?(?:应用|软件|app)'],
}

const compiled = (sources: Sources): Patterns => ({
	persona: sources.persona.map(compile),
	secrecy: sources.secrecy.map(compile),
	personal_data: sources.personal_data.map(compile),
	meeting: sources.meeting.map(compile),
	other_app: sources.other_app.map(compile),
})
const compile = (source: string) => new RegExp(foldPatternSource(source))

export const policyPatterns: Record<string, Patterns> = { en: compiled(en), es: compiled(es), ar: compiled(ar), vi: compiled(vi), ru: compiled(ru), zh: compiled(zh) }
