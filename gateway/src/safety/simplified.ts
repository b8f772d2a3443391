// Traditional → Simplified Chinese for the characters the local lists use, so one list serves
// children in Taiwan and Hong Kong too. Deliberately small: only characters that differ between the
// two scripts and occur in safety/lists/zh.ts need to be here (a character missing from this table
// only matters if a list entry contains its simplified form; the unit tests check that).

const PAIRS =
	'殺杀說说話话訴诉別别遠远網网給给禮礼從从現现開开個个們们媽妈讓让歡欢覺觉這这來来時时對对沒没會会過过還还裡里裏里關关學学脫脱親亲傷伤嗎吗麼么熱热難难餓饿隱隐體体電电號号碼码見见約约訊讯圖图發发傳传視视頻频頭头鏡镜攝摄機机氣气兇凶罵骂負负淩凌擁拥褲裤醫医藥药樓楼橋桥壞坏彈弹燒烧戰战暈晕戲戏遊游帳帐寫写與与為为麵面聽听歲岁跟跟繼继帶带將将爺爷奶奶媽妈爸爸條条邊边樣样愛爱恥耻瘋疯軟软鎖锁餵喂飯饭僅仅夠够處处絕绝惡恶錢钱買买賣卖讀读識识認认請请謝谢幫帮護护險险違违規规則则滅灭槍枪斃毙陽阳厭厌煩烦緊紧張张嚇吓癢痒腦脑臉脸腳脚頸颈膚肤員员偷偷還还門门間间窗窗邊边鄰邻鑰钥應应該该讓让標标準准監监視视錄录載载軟软聯联絡络絡络縣县區区鎮镇鐘钟點点兒儿車车騎骑輛辆滾滚東东西西狀状況况離离婚婚媽妈'

const table = new Map<string, string>()
for (let i = 0; i + 1 < PAIRS.length; i += 2) table.set(PAIRS[i]!, PAIRS[i + 1]!)

export function toSimplified(text: string): string {
	let out = ''
	for (const ch of text) out += table.get(ch) ?? ch
	return out
}

/** For the tests: whether a character is known to this table as Traditional. */
export const isTraditional = (ch: string): boolean => table.has(ch) && table.get(ch) !== ch
