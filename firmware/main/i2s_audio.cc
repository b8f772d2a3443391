#include "i2s_audio.h"

namespace {

i2s_std_config_t std_config(const I2sPins& p, uint32_t rate) {
	// 32-bit slots for both directions: the mic's 24 bits sit at the top, the amplifier takes 32.
	i2s_std_config_t cfg = {
	    .clk_cfg = I2S_STD_CLK_DEFAULT_CONFIG(rate),
	    .slot_cfg = I2S_STD_PHILIPS_SLOT_DEFAULT_CONFIG(I2S_DATA_BIT_WIDTH_32BIT, I2S_SLOT_MODE_MONO),
	    .gpio_cfg = {.mclk = I2S_GPIO_UNUSED,
	                 .bclk = static_cast<gpio_num_t>(p.bclk),
	                 .ws = static_cast<gpio_num_t>(p.ws),
	                 .dout = p.dout >= 0 ? static_cast<gpio_num_t>(p.dout) : I2S_GPIO_UNUSED,
	                 .din = p.din >= 0 ? static_cast<gpio_num_t>(p.din) : I2S_GPIO_UNUSED,
	                 .invert_flags = {}},
	};
	cfg.slot_cfg.slot_mask = I2S_STD_SLOT_LEFT;
	return cfg;
}

}  // namespace

void I2sMic::set_enabled(bool on) {
	if (on == on_ || !rx_) return;
	on_ = on;
	if (on) i2s_channel_enable(rx_);
	else i2s_channel_disable(rx_);
}

bool I2sMic::read(int16_t* pcm, size_t samples) {
	if (!on_ || samples > sizeof raw_ / sizeof raw_[0]) return false;
	size_t got = 0;
	// ? Blocks for at most one frame: the DMA fills a 60 ms frame every 60 ms.
	if (i2s_channel_read(rx_, raw_, samples * sizeof raw_[0], &got, pdMS_TO_TICKS(100)) != ESP_OK || got < samples * sizeof raw_[0]) {
		return false;
	}
	for (size_t i = 0; i < samples; ++i) pcm[i] = static_cast<int16_t>(raw_[i] >> 14);  // 24-bit data, +4 dB of gain
	return true;
}

void I2sSpeaker::write(const int16_t* pcm, size_t samples) {
	if (!tx_) return;
	// Loudness is perceived logarithmically: a squared gain makes the volume steps feel even.
	int32_t gain = volume_ * volume_;  // 0..10000
	while (samples) {
		size_t n = samples < sizeof out_ / sizeof out_[0] ? samples : sizeof out_ / sizeof out_[0];
		for (size_t i = 0; i < n; ++i) out_[i] = (static_cast<int32_t>(pcm[i]) * gain / 10000) << 16;
		size_t written = 0;
		i2s_channel_write(tx_, out_, n * sizeof out_[0], &written, portMAX_DELAY);
		pcm += n;
		samples -= n;
	}
}

bool i2s_open_separate(const I2sPins& mic, uint32_t mic_rate, const I2sPins& amp, uint32_t amp_rate, I2sMic& m, I2sSpeaker& s) {
	i2s_chan_config_t rx_chan = I2S_CHANNEL_DEFAULT_CONFIG(I2S_NUM_0, I2S_ROLE_MASTER);
	i2s_chan_config_t tx_chan = I2S_CHANNEL_DEFAULT_CONFIG(I2S_NUM_1, I2S_ROLE_MASTER);
	tx_chan.auto_clear = true;  // underruns play silence, not the last buffer again
	i2s_chan_handle_t rx = nullptr, tx = nullptr;
	if (i2s_new_channel(&rx_chan, nullptr, &rx) != ESP_OK || i2s_new_channel(&tx_chan, &tx, nullptr) != ESP_OK) return false;
	i2s_std_config_t rx_cfg = std_config(mic, mic_rate);
	i2s_std_config_t tx_cfg = std_config(amp, amp_rate);
	if (i2s_channel_init_std_mode(rx, &rx_cfg) != ESP_OK || i2s_channel_init_std_mode(tx, &tx_cfg) != ESP_OK) return false;
	m.attach(rx);
	s.attach(tx);
	return i2s_channel_enable(tx) == ESP_OK;
}

bool i2s_open_duplex(const I2sPins& pins, uint32_t rate, I2sMic& m, I2sSpeaker& s) {
	i2s_chan_config_t chan = I2S_CHANNEL_DEFAULT_CONFIG(I2S_NUM_0, I2S_ROLE_MASTER);
	chan.auto_clear = true;
	i2s_chan_handle_t rx = nullptr, tx = nullptr;
	if (i2s_new_channel(&chan, &tx, &rx) != ESP_OK) return false;
	i2s_std_config_t cfg = std_config(pins, rate);
	if (i2s_channel_init_std_mode(tx, &cfg) != ESP_OK || i2s_channel_init_std_mode(rx, &cfg) != ESP_OK) return false;
	m.attach(rx);
	s.attach(tx);
	return i2s_channel_enable(tx) == ESP_OK;
}
