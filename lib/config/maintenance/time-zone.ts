/**
 * Kubernetes CronJob `spec.timeZone`, checked the way the API server checks it, so that a zone
 * accepted here is never refused at apply.
 *
 * The API server (kubernetes/kubernetes pkg/apis/batch/validation/validation.go, validateTimeZone)
 * refuses, in this order:
 *   - an empty string ("timeZone must be nil or non-empty string");
 *   - a name with a "/"-separated part that is "." or "..", starts with "-", or is not 1-14 of
 *     A-Z a-z 0-9 . - _ + (validTimeZoneCharacters);
 *   - "Local" in any case (`strings.EqualFold(*timeZone, "Local")`);
 *   - a name Go's `time.LoadLocation` cannot load. LoadLocation (go/src/time/zoneinfo.go:641-674)
 *     maps "UTC" itself and otherwise reads the tz database file of that exact name: from the
 *     host's zoneinfo directory, else from the copy embedded in the binary, which kube-apiserver
 *     links in (`_ "time/tzdata" // for timeZone support in CronJob`, cmd/kube-apiserver/
 *     apiserver.go, added by kubernetes/kubernetes#108032). Lookups are case-sensitive.
 *
 * So the names that load everywhere are the tz database's own: every Zone and Link of the files a
 * default build installs (tz Makefile: TDATA = africa antarctica asia australasia europe
 * northamerica southamerica etcetera factory backward), which is what Go embeds (golang/go
 * lib/time/update.bash runs `make ... posix_only` and zips the result for time/tzdata).
 *
 * Node cannot list them: Intl.DateTimeFormat accepts any case ("europe/berlin"), and
 * Intl.supportedValuesOf("timeZone") gives ICU's canonical spellings only, leaving out 180 of them
 * in Node 20 (UTC, Etc/UTC, Asia/Kolkata, Europe/Kyiv, US/Eastern, ...). Hence the list below,
 * copied from tz database release 2025c (github.com/eggert/tz tag 2025c, the release that Node
 * 20.20's ICU carries), one directory a line, made from that tag with:
 *   awk '$1=="Zone"{print $2} $1=="Link"{print $3}' africa antarctica asia australasia europe \
 *     northamerica southamerica etcetera factory backward | sort -u
 * A name is accepted when it is on the list, spelt exactly, and Intl also knows it (which drops
 * "Factory", a tz placeholder that names no place).
 */
import { nearestName } from "../core/key-suggestion";

/** tz database 2025c names: "<directory>/ <name> <name> ...", "/" for top-level names. */
const TZDATA_2025C_NAMES = `
/ CET CST6CDT Cuba EET EST EST5EDT Egypt Eire Factory GB GB-Eire GMT GMT+0 GMT-0 GMT0 Greenwich
/ HST Hongkong Iceland Iran Israel Jamaica Japan Kwajalein Libya MET MST MST7MDT NZ NZ-CHAT
/ Navajo PRC PST8PDT Poland Portugal ROC ROK Singapore Turkey UCT UTC Universal W-SU WET Zulu
Africa/ Abidjan Accra Addis_Ababa Algiers Asmara Asmera Bamako Bangui Banjul Bissau Blantyre
Africa/ Brazzaville Bujumbura Cairo Casablanca Ceuta Conakry Dakar Dar_es_Salaam Djibouti Douala
Africa/ El_Aaiun Freetown Gaborone Harare Johannesburg Juba Kampala Khartoum Kigali Kinshasa
Africa/ Lagos Libreville Lome Luanda Lubumbashi Lusaka Malabo Maputo Maseru Mbabane Mogadishu
Africa/ Monrovia Nairobi Ndjamena Niamey Nouakchott Ouagadougou Porto-Novo Sao_Tome Timbuktu
Africa/ Tripoli Tunis Windhoek
America/ Adak Anchorage Anguilla Antigua Araguaina Aruba Asuncion Atikokan Atka Bahia
America/ Bahia_Banderas Barbados Belem Belize Blanc-Sablon Boa_Vista Bogota Boise Buenos_Aires
America/ Cambridge_Bay Campo_Grande Cancun Caracas Catamarca Cayenne Cayman Chicago Chihuahua
America/ Ciudad_Juarez Coral_Harbour Cordoba Costa_Rica Coyhaique Creston Cuiaba Curacao
America/ Danmarkshavn Dawson Dawson_Creek Denver Detroit Dominica Edmonton Eirunepe El_Salvador
America/ Ensenada Fort_Nelson Fort_Wayne Fortaleza Glace_Bay Godthab Goose_Bay Grand_Turk
America/ Grenada Guadeloupe Guatemala Guayaquil Guyana Halifax Havana Hermosillo Indianapolis
America/ Inuvik Iqaluit Jamaica Jujuy Juneau Knox_IN Kralendijk La_Paz Lima Los_Angeles
America/ Louisville Lower_Princes Maceio Managua Manaus Marigot Martinique Matamoros Mazatlan
America/ Mendoza Menominee Merida Metlakatla Mexico_City Miquelon Moncton Monterrey Montevideo
America/ Montreal Montserrat Nassau New_York Nipigon Nome Noronha Nuuk Ojinaga Panama
America/ Pangnirtung Paramaribo Phoenix Port-au-Prince Port_of_Spain Porto_Acre Porto_Velho
America/ Puerto_Rico Punta_Arenas Rainy_River Rankin_Inlet Recife Regina Resolute Rio_Branco
America/ Rosario Santa_Isabel Santarem Santiago Santo_Domingo Sao_Paulo Scoresbysund Shiprock
America/ Sitka St_Barthelemy St_Johns St_Kitts St_Lucia St_Thomas St_Vincent Swift_Current
America/ Tegucigalpa Thule Thunder_Bay Tijuana Toronto Tortola Vancouver Virgin Whitehorse
America/ Winnipeg Yakutat Yellowknife
America/Argentina/ Buenos_Aires Catamarca ComodRivadavia Cordoba Jujuy La_Rioja Mendoza
America/Argentina/ Rio_Gallegos Salta San_Juan San_Luis Tucuman Ushuaia
America/Indiana/ Indianapolis Knox Marengo Petersburg Tell_City Vevay Vincennes Winamac
America/Kentucky/ Louisville Monticello
America/North_Dakota/ Beulah Center New_Salem
Antarctica/ Casey Davis DumontDUrville Macquarie Mawson McMurdo Palmer Rothera South_Pole Syowa
Antarctica/ Troll Vostok
Arctic/ Longyearbyen
Asia/ Aden Almaty Amman Anadyr Aqtau Aqtobe Ashgabat Ashkhabad Atyrau Baghdad Bahrain Baku
Asia/ Bangkok Barnaul Beirut Bishkek Brunei Calcutta Chita Choibalsan Chongqing Chungking
Asia/ Colombo Dacca Damascus Dhaka Dili Dubai Dushanbe Famagusta Gaza Harbin Hebron Ho_Chi_Minh
Asia/ Hong_Kong Hovd Irkutsk Istanbul Jakarta Jayapura Jerusalem Kabul Kamchatka Karachi Kashgar
Asia/ Kathmandu Katmandu Khandyga Kolkata Krasnoyarsk Kuala_Lumpur Kuching Kuwait Macao Macau
Asia/ Magadan Makassar Manila Muscat Nicosia Novokuznetsk Novosibirsk Omsk Oral Phnom_Penh
Asia/ Pontianak Pyongyang Qatar Qostanay Qyzylorda Rangoon Riyadh Saigon Sakhalin Samarkand
Asia/ Seoul Shanghai Singapore Srednekolymsk Taipei Tashkent Tbilisi Tehran Tel_Aviv Thimbu
Asia/ Thimphu Tokyo Tomsk Ujung_Pandang Ulaanbaatar Ulan_Bator Urumqi Ust-Nera Vientiane
Asia/ Vladivostok Yakutsk Yangon Yekaterinburg Yerevan
Atlantic/ Azores Bermuda Canary Cape_Verde Faeroe Faroe Jan_Mayen Madeira Reykjavik
Atlantic/ South_Georgia St_Helena Stanley
Australia/ ACT Adelaide Brisbane Broken_Hill Canberra Currie Darwin Eucla Hobart LHI Lindeman
Australia/ Lord_Howe Melbourne NSW North Perth Queensland South Sydney Tasmania Victoria West
Australia/ Yancowinna
Brazil/ Acre DeNoronha East West
Canada/ Atlantic Central Eastern Mountain Newfoundland Pacific Saskatchewan Yukon
Chile/ Continental EasterIsland
Etc/ GMT GMT+0 GMT+1 GMT+10 GMT+11 GMT+12 GMT+2 GMT+3 GMT+4 GMT+5 GMT+6 GMT+7 GMT+8 GMT+9 GMT-0
Etc/ GMT-1 GMT-10 GMT-11 GMT-12 GMT-13 GMT-14 GMT-2 GMT-3 GMT-4 GMT-5 GMT-6 GMT-7 GMT-8 GMT-9
Etc/ GMT0 Greenwich UCT UTC Universal Zulu
Europe/ Amsterdam Andorra Astrakhan Athens Belfast Belgrade Berlin Bratislava Brussels Bucharest
Europe/ Budapest Busingen Chisinau Copenhagen Dublin Gibraltar Guernsey Helsinki Isle_of_Man
Europe/ Istanbul Jersey Kaliningrad Kiev Kirov Kyiv Lisbon Ljubljana London Luxembourg Madrid
Europe/ Malta Mariehamn Minsk Monaco Moscow Nicosia Oslo Paris Podgorica Prague Riga Rome Samara
Europe/ San_Marino Sarajevo Saratov Simferopol Skopje Sofia Stockholm Tallinn Tirane Tiraspol
Europe/ Ulyanovsk Uzhgorod Vaduz Vatican Vienna Vilnius Volgograd Warsaw Zagreb Zaporozhye
Europe/ Zurich
Indian/ Antananarivo Chagos Christmas Cocos Comoro Kerguelen Mahe Maldives Mauritius Mayotte
Indian/ Reunion
Mexico/ BajaNorte BajaSur General
Pacific/ Apia Auckland Bougainville Chatham Chuuk Easter Efate Enderbury Fakaofo Fiji Funafuti
Pacific/ Galapagos Gambier Guadalcanal Guam Honolulu Johnston Kanton Kiritimati Kosrae Kwajalein
Pacific/ Majuro Marquesas Midway Nauru Niue Norfolk Noumea Pago_Pago Palau Pitcairn Pohnpei
Pacific/ Ponape Port_Moresby Rarotonga Saipan Samoa Tahiti Tarawa Tongatapu Truk Wake Wallis Yap
US/ Alaska Aleutian Arizona Central East-Indiana Eastern Hawaii Indiana-Starke Michigan Mountain
US/ Pacific Samoa
`;

/** validation.go validTimeZoneCharacters: the tz naming rules plus 0-9 and "+" for old names. */
const VALID_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

interface Zones {
  readonly names: readonly string[];
  readonly exact: ReadonlySet<string>;
  readonly byLowerCase: ReadonlyMap<string, string>;
}

let zones: Zones | undefined;

function intlKnows(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The tz database names that Node's Intl also knows (built once, on first use). */
function knownZones(): Zones {
  if (zones) return zones;
  const names: string[] = [];
  for (const line of TZDATA_2025C_NAMES.split("\n")) {
    const [directory, ...leaves] = line.split(" ").filter((word) => word.length > 0);
    if (directory === undefined) continue;
    const prefix = directory === "/" ? "" : directory;
    for (const leaf of leaves) names.push(prefix + leaf);
  }
  const usable = names.filter(intlKnows);
  zones = {
    names: usable,
    exact: new Set(usable),
    byLowerCase: new Map(usable.map((name): [string, string] => [name.toLowerCase(), name])),
  };
  return zones;
}

/** Every time zone name timeZoneProblem accepts. */
export function knownTimeZones(): readonly string[] {
  return knownZones().names;
}

/** Why Kubernetes would refuse `zone` as CronJob spec.timeZone; undefined if it accepts it. */
export function timeZoneProblem(zone: string): string | undefined {
  if (zone.length === 0) {
    return "timeZone is empty: leave it out, or name an IANA time zone such as Europe/Berlin";
  }
  if (zone.toLowerCase() === "local") {
    return `timeZone "${zone}" is refused by Kubernetes: name an IANA zone such as Europe/Berlin`;
  }
  const { exact, byLowerCase, names } = knownZones();
  const wellFormed = zone
    .split("/")
    .every(
      (part) => part !== "." && part !== ".." && !part.startsWith("-") && VALID_PART.test(part),
    );
  if (wellFormed && exact.has(zone)) return undefined;
  const sameButCase = byLowerCase.get(zone.toLowerCase());
  if (sameButCase !== undefined) {
    return `unknown time zone "${zone}": names are case-sensitive, did you mean ${sameButCase}?`;
  }
  const near = nearestName(zone, names);
  return near === undefined
    ? `unknown time zone "${zone}": use an IANA name such as Europe/Berlin or UTC`
    : `unknown time zone "${zone}": did you mean ${near}?`;
}
