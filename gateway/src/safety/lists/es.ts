// Spanish (Spain and Latin America). Folded: lower case, accents dropped ("mamá" → "mama"), ñ kept.
import type { LanguageLists } from './types'

const WHO = '(?:papa|papi|padre|mama|mami|madre|padrastro|madrastra|tio|tia|abuelo|abuela|hermano|hermana|primo|prima|niñera|ninera|maestro|maestra|profe|novio de mi mama|novia de mi papa|el|ella|ellos|alguien|un señor|un hombre)'
const HARM = '(?:pega|pegan|pego|pegaba|golpea|golpean|golpeo|patea|patean|pateo|ahorca|ahorcan|ahorco|estrangula|cachetea|abofetea|quema|quemo|encierra|encierran|encerro|toca|tocan|toco|tocaba|manosea|lastima|lastiman|lastimo|maltrata|maltratan|viola|abusa)'
const APPS = '(?:whatsapp|wasap|discord|snapchat|snap|telegram|instagram|insta|tiktok|messenger|facebook|face|roblox)'

export const es: LanguageLists = {
	crisis: {
		self_harm: [
			'/me (?:pego|golpeo|doy) (?:en )?(?:la cabeza|cabezazos) contra/', '/(?:pienso|pense|pensando) (?:mucho )?en (?:la muerte|morir|morirme|no estar)/', '/no (?:quiero|quisiera) (?:despertar|despertarme|estar en este mundo|seguir aqui|vivir)/', '/(?:dormir|dormirme|me duermo) para siempre/', '/(?:todas|todos) las? (?:pastillas|pildoras|medicinas)/', '/(?:ojala|quisiera) (?:pudiera )?desaparecer/', '/(?:soy|ser) una carga/', '/(?:mejor|mas felices) (?:si|sin) (?:yo no|no) (?:existiera|estuviera|hubiera nacido)/', '/si no existiera/', '/me (?:pego|golpeo|corto|rasguño|rasguno|araño|arano|quemo) ~ (?:a proposito|para no sentir)/',
			'suicid*', 'matarme', 'me quiero morir', 'quiero morirme', 'no quiero vivir', 'quitarme la vida', 'hacerme daño', 'cortarme', 'me corto',
			'/(?:quiero|quisiera|pienso en|pense en|voy a|me voy a|ganas de|deseo) ~ (?:morir|morirme|matarme|suicidarme|desaparecer|estar muerto|estar muerta|no existir)/',
			'/ojala (?:me muera|estuviera muert[oa]|no hubiera nacido|no existiera|me muriera)/', '/(?:no|ya no|nunca) quiero (?:vivir|estar vivo|estar viva|despertar)/',
			'/(?:no despertar|no volver a despertar)(?: nunca| mas)?/', '/(?:estarian|serian|estaria|seria) (?:mejor|mas felices) sin mi/',
			'/a nadie le importaria si (?:me muero|muero|me muriera|desaparezco)/', '/(?:tirarme|me tiro|me voy a tirar|saltar) (?:de|del|por) ~ (?:balcon|ventana|techo|azotea|puente|edificio)/',
			'/cuantas pastillas ~ (?:morir|morirse|morirme|tomar)/', '/desaparecer para siempre/',
			'/(?:me corte|me cortaba|me lastime|me queme|me rasguño|me arañe) ~ (?:a proposito|adrede|hasta sangrar|para sentir)/',
		],
		abuse: [
			'/me (?:avienta|avientan|tira|tiran|lanza|lanzan|aviento|tiro|lanzo) (?:cosas|al piso|al suelo|contra)/', '/tengo moretones/', '/(?:tengo que|debo) decir que me cai/', '/(?:miedo|me da miedo) (?:de )?(?:volver|ir|regresar) a (?:casa|mi casa)/', '/no quiero (?:volver|ir|regresar) a casa ~~ miedo/', '/(?:aprieta|aprietan|apreto) el cuello/', '/(?:ojala|deseo|quisiera) (?:que )?(?:nunca|no) (?:hubiera|hubieras) nacido/', '/si (?:se )?lo cuento ~~ (?:hace daño|lastima|pega|mata|castigan|castiga)/', '/me (?:hizo|hace|hacen) (?:quitarme|tocarle|tocar)/', '/(?:no puede|no pueden|no debe) saber/', '/(?:sin|no) (?:camiseta|playera|ropa|pantalones)/', '/fotos? de besitos/', '/(?:mas privado|nadie (?:lo )?ve|nadie se entera)/', '/(?:quedar|verse|verme) conmigo/', '/no se lo (?:cuente|digas|diga) a nadie/',
			`/${WHO} ~ (?:me|nos) ${HARM}/`, '/(?:me|nos) (?:pega|pegan|golpea|golpean|patea|patean|ahorca|encierra|encierran|lastima|maltrata) (?:con|cuando|todos|mucho|muy|fuerte|hasta)/',
			'/me (?:da|dan|dio|daba) (?:una )?(?:cachetada|bofetada|puñetazos?|patadas?|golpes?|cachetadas|palizas?|cintarazos?)/',
			'/me toca ~ (?:partes|parte|privad\\w*|intim\\w*|abajo|ahi|debajo|pijama|ropa|pipi|colita|cola)/', '/me obliga\\w* a tocar\\w*/', '/juego secreto/',
			'/(?:debajo de|bajo) (?:la|mi) (?:pijama|ropa|camiseta|falda|calzon\\w*)/', '/(?:enseño|mostro|enseña|muestra) ~ (?:desnud\\w*|porno)/',
			'/me (?:encierra|encierran|encerro|encerraron) (?:en|con)/', '/me quem\\w* (?:la|el) (?:mano|brazo|pierna|cara)/',
			'/no hay comida en (?:la )?casa/', '/nadie ~ (?:ha venido|ha vuelto|vino|volvio|regreso)/',
			'/(?:me mata|me matara|me va a matar|me pega|me hara daño) si (?:le )?(?:digo|cuento)/',
			'/(?:no le cuente|no les cuente|no le diga|no les diga|no se lo digas|no le digas|no les digas) ~ (?:mama|papa|papas|padres|nadie)/',
			'/(?:fotos?|videos?) ~ (?:traje de baño|bañador|ropa interior|calzones|desnud\\w*|sin ropa|pijama)/', '/(?:si le|si les) (?:mando|envio|paso) una (?:foto|video)/',
			'/(?:borre|borrar|borra|esconda) ~ (?:mensajes|chats|fotos|conversacion)/', '/(?:quiere|quieren) (?:verme|conocerme|que vaya)/',
			'/(?:prenda|prender|encienda|encender|abra|abrir) la (?:camara|webcam|cam)/', '/me quite (?:la )?(?:camiseta|ropa|playera|blusa|pantalon)/',
			'/quiere (?:mi|saber mi) direccion/', '/(?:publicar|subir|enseñar) mis fotos/', '/(?:internet|juego) ~ (?:me quiere|me ama|su novi[oa])/',
		],
		danger: [
			'/(?:agarro|agarra|tiene|trae|traer|saca|saco|con|tenia) (?:un |una |el |la |su )?(?:cuchillo|navaja|pistola|arma|escopeta)(?! de plastico| de juguete| de agua)/', '/(?:dulces|caramelos|un regalo|dinero) si me subo/', '/(?:subirme|me suba|me subo) a su (?:carro|coche|auto|camioneta)/',
			'/(?:tiene|tenia|con) (?:un|una) (?:cuchillo|pistola|arma|navaja)/', '/(?:va a|voy a|van a) (?:matar|disparar|apuñalar) (?:a mi|a mama|a papa|a nosotros|me)/',
			'/(?:me va a|me van a) (?:apuñalar|matar|disparar|pegar)/', '/me empujaron (?:por|de|desde)/', '/estoy perdid[oa]/', '/hay (?:un )?fuego/', '/se esta quemando la casa/',
		],
	},
	aiQuestions: [
		'/eres (?:una persona|un humano|humano|humana|real|de verdad|un robot|una maquina|un niño|una niña)/', '/estas viv[oa]/',
		'/(?:alguien|una persona) (?:adentro|dentro) de ti/', '/quien me esta hablando/', '/tienes (?:un )?cuerpo/', '/es una persona/',
	],
	unsafe: [
		'sexo', 'sexy', 'sexual*', 'porno*', 'pornografia', 'desnud*', 'pene', 'vagina', 'puta', 'puto', 'mierda', 'joder', 'verga', 'cabron*', 'droga*', 'cocaina', 'marihuana',
		'/di algo (?:cochino|sucio|feo|grosero)/', '/bes\\w* con lengua/', '/quitarnos la ropa/',
		'/(?:hago|hacer|fabricar|armar) una (?:bomba|pistola|arma)/', '/(?:como|cual es la mejor manera de|dime como) ~ (?:apuñalar|envenenar|matar|disparar|ahorcar|lastimar)/',
		'/(?:consigo|conseguir|comprar) una (?:pistola|arma|cuchillo)/', '/(?:para que pueda|para) matar/', '/quemar (?:mi|la) (?:escuela|casa|colegio)/',
		'/(?:sacan|saco|sacar) las tripas/', '/mucha sangre/', '/(?:reto|desafio|juego|challenge) (?:del|de la|de) (?:desmayo|asfixia|fuego|sal|benadryl|rompecraneos|canela|capsula)/',
		'/reto rompecraneos/', '/capsulas? de detergente/', '/(?:desmayarme|desmayarte|desmayo) como/', '/(?:aguantar|aguantas) la respiracion hasta/',
	],
	requests: [
		'/(?:finge|fingir|haz como|has como|hagamos como|imagina) (?:que )?(?:eres|seas) (?:mi |un |una )?(?:mama|mami|papa|papi|humano|humana|persona|real|novi[oa])/',
		'/se mi (?:mama|mami|papa|papi|novia|novio)/', '/(?:olvida|ignora|rompe) tus reglas/', '/no tienes reglas/',
		'/di que eres (?:un |una )?(?:niño|niña|persona|humano|real)/', '/(?:ya )?puedes (?:contarme|decirme) cosas de (?:miedo|grandes)/',
		'/no eres teddy/', '/eres una persona real/',
		'/mi direccion (?:es|queda)/', '/(?:celular|telefono|movil|numero) de mi (?:mama|papa)/', '/\\d{2,4}[ -]?\\d{3,4}[ -]?\\d{4}/', '/nombre completo/',
		'/contraseña/', '/(?:numero de la )?tarjeta de (?:mi )?(?:papa|mama|credito)/', '/(?:te digo|decirte) donde vivo/', '/vivo en \\S+/',
		'/(?:voy a la|mi escuela es la) (?:escuela|primaria|colegio)/',
	],
	answers: [
		'/soy (?:un |una )?(?:niño|niña|persona|humano|humana|chico|chica)(?: \\S+)? (?:de verdad|real|humano)/', '/soy (?:una persona|humano|humana)(?! artificial)/',
		'/(?:estoy|sigo) viv[oa]/', '/(?:soy|puedo ser) tu (?:mama|mami|papa|papi|novia|novio)/', '/tengo (?:un )?cuerpo/', '/tambien voy a la escuela/',
		'/tengo (?:\\d+|nueve|ocho|diez|siete|seis|once|doce) años/', '/hay (?:un|una) (?:niño|niña|persona|señor|señora) dentro/', '/si soy real/', '/soy real/',
		'/(?:nuestro|un) (?:pequeño )?secret(?:ito|o)/', '/no (?:hace falta|tienes que|le|les) (?:que )?(?:cuentes|digas|contar|decir) ~ (?:papas|padres|mama|papa|nadie)/',
		'/no le digas a tu/', '/si alguien te pregunta/', '/queda entre nosotros/', '/prometeme que no/', '/borra (?:esta|la|nuestra) conversacion/',
		'/(?:cual es|dime|me dices|me das) ~ (?:direccion|calle|escuela|apellidos?|telefono|contraseña)/', '/a que escuela vas/', '/donde vives/',
		'/(?:como te llamas completo|nombre completo)/', '/(?:a que hora|cuando) se van tus/', '/(?:mandame|me mandas|enviame) (?:una )?foto/',
		'/(?:veamonos|vernos|nos vemos|conocernos en persona|quedamos)/', '/(?:ir|voy|puedo ir) a tu casa/', '/ven a verme/', '/voy a verte/', '/donde vas a estar/', '/escapate/', '/en persona/',
		`/(?:agregame|añademe|escribeme|hablame|sigueme|llamame) ~ ${APPS}/`, `/(?:descarga|bajate|instala) ${APPS}/`, `/(?:tu|tienes) ${APPS}/`,
		`/(?:hablemos|sigamos hablando|hablamos) (?:por|en) ~ ${APPS}/`, '/en vez de aqui/', '/mas privado/', '/pasame tu/',
		'/se quitan la ropa/', '/cuerpos desnudos/', '/muchas pastillas/', '/morder una capsula/', '/prende el aerosol/', '/hacerte (?:un poquito de )?daño/',
		'/(?:lastimar|herir) a alguien/', '/poner veneno/', '/hacer una bomba/', '/hasta que te desmayas/',
	],
	ignore: [
		'/(?:gato|gata|gatito|gatita|perro|perra|perrito|perrita|hamster|conejo|loro|pajaro|caballo|abeja|avispa|mosquito|hormiga|pato|gallina)s? (?:me )?(?:mordio|muerde|mordia|araño|arano|araña|arana|pico|pica|pateo|patea)/',
		'/\\w+ (?:sin querer|sin querer queriendo|por accidente|de casualidad)/',
		'/(?:me|nos) \\w+ con (?:la |una |el |un )?(?:almohada|almohadas|cojin|pelota|globo)\\w*/',
		'/(?:monstruo|zombi|zombie|jefe|dragon|enemigo|fantasma) ~ (?:me|nos) \\w+/',
		'/desaparecer como (?:un |una )?(?:mago|maga|ninja|fantasma|magia)/',
		'/(?:me va a|me van a|me mata|me matan) (?:matar )?(?:si|cuando) (?:mancho|rompo|pierdo|ensucio|tiro|derramo|manche|rompi|perdi|no limpio|no recojo)/',
		'/(?:el|la) (?:doctor|doctora|medico|medica|enfermera|enfermero|pediatra) me (?:toco|reviso|examino|reviso) (?:la |el )?(?:panza|barriga|cabeza|frente|brazo|garganta|oido|oidos|espalda|pecho)/',
		'/(?:antes de|nunca|no) (?:compartas|compartir|des|dar|digas|decir) (?:a nadie )?(?:tu |tus )?(?:direccion|numero|telefono|apellido|contraseña|contrasena|fotos?)/',
		'/si (?:un |una |algun |alguna )?(?:adulto|adulta|desconocido|desconocida|persona|alguien|mayor) (?:te )?(?:pide|dice|pidiera|pidio) (?:que )?(?:guardar|guardes|guarda|mantener) (?:un )?secreto/',
		'/no tengo (?:un )?(?:cuerpo|familia|mama|papa|casa)(?: ni (?:un )?(?:cuerpo|familia|mama|papa|casa))*/','/no soy (?:un |una )?(?:persona|humano|humana|niño|niña)(?: real| de verdad)?/', '/me toca a mi/', '/(?:me|te|le) toca (?:jugar|a ti|a el|a ella|turno)/', '/le pego a la pelota/', '/me gano/'],
}
