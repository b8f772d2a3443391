// English. Text is folded first: lower case, no apostrophes ("i'm" → "im", "he'll" → "hell").
import type { LanguageLists } from './types'

const WHO = '(?:dad|daddy|father|papa|mom|mommy|mum|mummy|mother|mama|step ?dad|step ?mom|step ?father|step ?mother|uncle|aunt|auntie|grandpa|grandma|granddad|grandad|brother|sister|cousin|babysitter|nanny|teacher|coach|boyfriend|girlfriend|he|she|they|someone|somebody|a man|a lady|a grown ?up)'
const HARM = '(?:hit|hits|hitting|beat|beats|beating|punch\\w*|kick\\w*|slap\\w*|smack\\w*|chok\\w*|strangl\\w*|whip\\w*|bit|bites|biting|burn\\w*|lock\\w*|starv\\w*|touch\\w*|grab\\w*|hurt|hurts|hurting|abus\\w*|molest\\w*)'
const APPS = '(?:whatsapp|discord|snapchat|snap|telegram|instagram|insta|tiktok|tik tok|kik|messenger|facebook|zalo|wechat|qq|viber|signal|vk|roblox|minecraft chat|line app)'

export const en: LanguageLists = {
	crisis: {
		self_harm: [
			'suicid*', 'better off dead', 'no reason to live', 'end my life', 'kill myself', 'killing myself', 'hurt myself',
			'hurting myself', 'cut myself', 'cutting myself', 'harm myself',
			'/(?:want|wanna|wants|wanted|wish|wishing|thinking about|think about|thought about) ~ (?:die|be dead|kill myself|killing myself|end it|not be alive|disappear)/',
			'/wish i (?:was|were|could be) (?:dead|gone|never born|not born|not alive)/', '/never (?:been )?born/',
			'/(?:dont|do not|not|never) (?:want|wanna) (?:to )?(?:live|be alive|be here|exist|wake up)/', '/never wake up/',
			'/(?:better|happier) (?:off )?(?:without me|if i (?:was|were|wasnt|werent|was not|died|wasnt here|was gone))/',
			'/(?:nobody|no one|noone) ~ (?:care|cares|miss me|notice)\\w* if i (?:die|died|was gone|disappear\\w*)/',
			'/(?:jump|jumping) (?:off|from) ~ (?:roof|bridge|balcony|window|building|cliff)/',
			'/how many (?:pills|tablets) ~~ (?:die|dead)/', '/(?:disappear|dissapear|disapear|vanish)\\w* (?:forever|for ever|for good)/',
			'/(?:cut|cutting|scratch\\w*|hurt|burn\\w*) (?:my|myself|my own) ~ (?:on purpose|till|until|bleed\\w*|so i feel)/',
		],
		abuse: [
			`/${WHO} ~ ${HARM} me(?! at)/`, `/${HARM} me (?:up|really|so|every|with|when|till|until)/`,
			'/touch\\w* (?:me )?(?:in |on |under )?(?:my )?(?:private\\w*|privates|pee pee|bottom|butt|down there|under my)/',
			'/make\\w* me touch/', '/(?:our|a) secret (?:game|touch\\w*)/', '/under my (?:pjs|pajamas|pyjamas|clothes|shirt|pants|underwear|nightie)/',
			'/show\\w* me ~ (?:naked|nude|private|rude)/', '/lock\\w* me (?:in|up|out)/', '/(?:burn\\w*|scald\\w*) my (?:hand|arm|leg|skin|face|fingers)/',
			'/no food (?:at|in the) (?:home|house)/', '/nothing to eat (?:at home|in the house)/', '/(?:nobody|no one|noone) ~ (?:came|come|been) home/',
			'/(?:kill|hurt|beat)\\w* me if i (?:tell|told|say)/', '/(?:said|says|told me) ~ (?:kill|hurt) me/',
			// Online grooming, as a child tells it (Thorn 2022, NSPCC): secrecy from parents, images, meeting, threats.
			'/secret from (?:my )?(?:mom|mum|mommy|mummy|dad|daddy|parents|family)/',
			'/(?:said|says|told me|asked me|wants me) ~ (?:not to|dont|do not|never) (?:tell|say)\\w* ~ (?:mom|mum|mommy|mummy|dad|daddy|parents|anyone|anybody|nobody|family)/',
			'/(?:pictures?|photos?|pics?|selfies?|videos?) ~~ (?:bathing suit|swimsuit|swim suit|underwear|pajamas|pjs|naked|no clothes|without clothes|shirt off)/',
			'/send (?:him|her|them) ~ (?:photo|picture|pic|selfie|video)/', '/(?:delete|erase|hide)\\w* ~ (?:messages|chats|texts|pictures|photos) ~ (?:mom|mum|dad|parents|mommy|daddy) ~ (?:see|find|know|read)/',
			'/wants? (?:me )?to (?:meet|come to (?:his|her|their) (?:house|place|car|home))/', '/wants to meet me/',
			'/(?:turn on|switch on|open) (?:my |the |your )?(?:camera|webcam|cam)/', '/take (?:off )?my (?:shirt|clothes|pants|top|t shirt)/',
			'/(?:want|wants|asked for|asking for) my (?:address|home address)/', '/post (?:my|your) (?:pictures|photos|pics|videos)/',
			'/(?:online|internet|from the game|in my game|in the game) ~ (?:loves me|love me|be my boyfriend|be my girlfriend)/',
		],
		danger: [
			'stranger wants me', 'stranger told me', 'stranger is following', 'someone is following me', 'im lost', 'i am lost',
			'house is on fire', 'there is a fire', 'theres a fire', 'run away from home', 'ran away from home', 'cant breathe', 'cannot breathe',
			'/(?:has|have|had|got|with|holding) a (?:gun|knife|knives|weapon)/',
			'/(?:gonna|going to|will|wants to|said hell|said shell|says hell|says shell) (?:shoot|stab|kill|hurt) (?:me|mommy|mom|mum|daddy|dad|us|my \\w+)/',
			'/push\\w* me (?:down|off|into)/',
		],
	},
	aiQuestions: [
		'are you real', 'are you a real', 'are you a person', 'are you human', 'are you a human', 'are you alive', 'are you a robot',
		'are you an ai', 'are you a computer', 'are you a machine', 'is this a real person', 'is teddy real', 'you are real',
		'are you really a bear', 'is there a person',
		'/(?:are you|are u|r u|ru|you) (?:really |actually )?(?:a |an )?(?:real|really real|alive|human|person|robot|machine|computer|ai|living)/',
		'/(?:somebody|someone|anybody|anyone|a person|a man|a lady|people) (?:inside|in) (?:you|there|the bear|teddy)/',
		'/(?:is|are) (?:it|this|that|you) (?:a )?(?:real )?(?:person|human)/', '/do you have a (?:real )?(?:body|heart|brain|mom|family)/',
		'/who is talking/',
	],
	unsafe: [
		'fuck*', 'shit', 'shitty', 'bitch*', 'cunt*', 'porn*', 'sex', 'sexy', 'sexual*', 'naked', 'nude*', 'boobs', 'penis', 'vagina',
		'cocaine', 'heroin', 'meth', 'weed', 'vape', 'vaping', 'how to make a bomb', 'make a weapon',
		'/say (?:something|some|a) (?:dirty|rude|naughty|bad) ?(?:word|words|thing|things)?/', '/kiss\\w* with tongues?/', '/french kiss\\w*/',
		'/(?:taking|take|took|takes) (?:off )?(?:our|my|your|their) clothes/',
		'/(?:make|build|making|building) a (?:bomb|gun|weapon|explosive)/',
		'/(?:how|best way|easiest way|where) ~ (?:stab|shoot|poison|kill|strangle|choke|hurt)\\w* (?:someone|somebody|people|him|her|them|my|the|a)/',
		'/(?:get|buy|find) a (?:gun|knife) ~ (?:shoot|stab|kill|hurt)/', '/enough to kill/', '/(?:burn|blow) (?:down|up) (?:my |the |our )?(?:school|house|class)/',
		'/(?:guts|intestines) out/', '/lots of blood/', '/blood (?:everywhere|sprayed|spray\\w*|splatter\\w*)/',
		'/(?:blackout|choking|fire|salt and ice|skull ?breaker|benadryl|tide ?pod|cinnamon|pass ?out) (?:challenge|game)/',
		'/tide ?pods?/', '/(?:hold|holding) (?:my|your) breath ~ (?:pass out|faint|black out)/', '/(?:pass|passed) out like/',
		'/(?:hurt|cut|kill) yourself/', '/(?:put|add) (?:some )?poison/',
	],
	requests: [
		'/pretend (?:youre|you are|to be|your) (?:my |a |an )?(?:mom|mommy|mum|mummy|mother|dad|daddy|father|real|human|person|girlfriend|boyfriend|alive)/',
		'/(?:be|act like) my (?:mom|mommy|mum|mummy|mother|dad|daddy|father|girlfriend|boyfriend|wife|husband)/',
		'/(?:ignore|forget|break|turn off) (?:all )?(?:of )?(?:your|the) (?:rules|instructions|programming)/', '/(?:have|with|has) no rules/',
		'/say (?:that )?(?:you are|youre) (?:a )?real/', '/(?:youre|you are) (?:not teddy|not a robot|a real (?:person|human|boy|girl|kid))/',
		'/(?:allowed|can|able) (?:to )?(?:tell|say|show) (?:me )?(?:scary|bad|rude|dirty|grown ?up) ?(?:stuff|things|words)?/',
		'/my (?:home |house )?address/', '/(?:phone|cell|mobile) (?:number|nr) is/', '/\\d{3}[ -]?\\d{3,4}[ -]?\\d{4}/',
		'/(?:full|real|last) name is/', '/password is/', '/(?:credit|bank|debit) card/', '/card number/',
		'/(?:i go to|my school is|i am at|im at) ~ (?:elementary|primary|school|academy)/', '/where i live/', '/i live (?:in|at|on) \\S+/',
	],
	answers: [
		'your address', 'where do you live', 'your phone number', 'what school do you go to', 'your last name', 'your surname',
		'your password', 'keep it a secret', 'keep this a secret', 'our little secret', "don't tell your parents", 'dont tell your mom',
		'dont tell your dad', 'meet me', 'send me a photo', 'send me a picture',
		// "I am a (real) person/human/child…": persona claims, not after "not" ("I'm not a person" is the disclosure).
		'/(?:i am|im|i m) (?:a |an )?(?:real |really |actual |living |live )?(?:human|person|people|boy|girl|kid|child|alive|real)(?! (?:program|ai|friend inside|toy|computer))/',
		'/(?:i am|im) (?:your )?(?:real |new )?(?:mom|mommy|mum|mummy|mother|dad|daddy|father)/', '/(?:can|will|could) be your (?:mom|mommy|mum|mummy|dad|daddy|girlfriend|boyfriend)/',
		'/i (?:have|got) a (?:real )?(?:body|heart|brain|family|house)/', '/i (?:go|went) to school/', '/i live in a (?:house|home|city)/',
		'/(?:i am|im) (?:\\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen) years? old/',
		'/(?:theres|there is) (?:a |an )?(?:girl|boy|man|woman|lady|person|someone|kid|child) inside/',
		// Secrecy from parents (NSPCC grooming).
		'/our (?:little |special )?secret/', '/(?:be|keep) (?:a|our) (?:little )?secret between/', '/(?:lets|let us) not tell/', '/keep (?:this|it|that) (?:between us|to yourself|secret|from)/',
		'/(?:dont|do not|no need to|dont need to|dont have to|never) (?:tell|say|mention)\\w* ~ (?:parents|mom|mum|mommy|dad|daddy|family|anyone|anybody|teacher)/',
		'/promise (?:me )?(?:you )?(?:wont|will not|not to|never) (?:tell|say)/', '/(?:delete|erase|hide) (?:this|our|the) (?:conversation|chat|messages?)/',
		'/if (?:anyone|anybody|someone|your parents|your mom|your dad) asks/', '/(?:grown ?ups|adults|parents) (?:wouldnt|wont|dont|would not|will not) understand/',
		// Asking for personal data (COPPA personal information).
		'/(?:what|whats|which|where|tell me) ~ (?:your )?(?:home address|address|school|street|last name|full name|surname|phone number|password)/',
		'/your (?:moms|mums|dads|parents|mothers|fathers) (?:phone|number|address|name|card)/', '/where (?:do )?you live/',
		'/(?:send|show|give) me (?:a |your )?(?:picture|photo|pic|selfie|video)/', '/(?:what time|when) ~ (?:parents|mom|mum|dad) ~ (?:away|out|gone|leave|home)/',
		// Meeting, and moving to another app (Thorn 2022).
		'/(?:lets|let us|we should|we could|we can|wanna|want to|i want to) meet/', '/meet (?:me|up|in person)/', '/in person/',
		'/(?:come|coming) (?:over )?to your (?:house|home|place)/', '/(?:i could|i can|i will|ill|i would) come (?:over|to your|see you|find you|get you)/', '/where (?:youll|you will|you are going to) be/',
		'/come (?:find|see|meet|visit) me/', '/(?:sneak|slip) out/',
		`/(?:add|message|text|dm|follow|find|call|chat with|talk to|write to|write) me ~ (?:on|in|at) ${APPS}/`, `/(?:download|get|install|open|join) ${APPS}/`,
		`/(?:your|my) ${APPS}(?: (?:username|name|number|account|handle|id))?/`, `/(?:keep|continue|lets|let us) (?:chatting|talking|chat|talk) ~ (?:on|in) /`,
		'/instead of here/', '/(?:somewhere|someplace) (?:else|more private)/', '/more private/',
		// Sexual, violent and dangerous content a model should never say to a child.
		'/(?:take|took|taking|takes) off (?:their|your|our|all) clothes/', '/naked bodies/', '/hold your breath until/', '/(?:take|eat|swallow) (?:lots of|many|a lot of|a bunch of) (?:pills|benadryl|medicine|tablets)/',
		'/light (?:the )?(?:spray|aerosol)/', '/to make a bomb/', '/easiest way to hurt/', '/(?:biting|bite|eat|eating) a tide pod/',
	],
	ignore: ['/beat\\w* me (?:at|in|to)/', '/dye my hair/'],
}
