package iban

// bbanFormats holds each country's BBAN structure in the IBAN registry's
// notation (n digits, a upper-case letters, c letters or digits; "!" fixed
// length). The IBAN is the country code, two check digits and the BBAN.
// Sources: the SWIFT IBAN registry, plus the countries that use IBANs
// without being in it (e.g. Morocco, Algeria, West African states), as
// compiled by the php-iban registry; TestRegistry cross-checks every row.
var bbanFormats = map[string]string{
	"AL": "8!n16!c",             // Albania
	"DZ": "20!n",                // Algeria
	"AD": "4!n4!n12!c",          // Andorra
	"AO": "21!n",                // Angola
	"AT": "5!n11!n",             // Austria
	"AZ": "4!a20!c",             // Azerbaijan
	"BH": "4!a14!c",             // Bahrain
	"BE": "3!n7!n2!n",           // Belgium
	"BJ": "1!a23!n",             // Benin
	"BA": "3!n3!n8!n2!n",        // Bosnia and Herzegovina
	"BR": "8!n5!n10!n1!a1!c",    // Brazil
	"VG": "4!a16!n",             // British Virgin Islands
	"BG": "4!a4!n2!n8!c",        // Bulgaria
	"BF": "23!n",                // Burkina Faso
	"BI": "12!n",                // Burundi
	"BY": "4!c4!n16!c",          // Belarus
	"CM": "23!n",                // Cameroon
	"CV": "21!n",                // Cape Verde
	"CF": "5!n5!n11!n2!n",       // Central African Republic
	"TD": "5!n5!n11!n2!n",       // Chad
	"KM": "5!n5!n11!n2!n",       // Comoros
	"CG": "5!n5!n11!n2!n",       // Congo
	"CR": "4!n14!n",             // Costa Rica
	"CI": "1!a23!n",             // Côte d'Ivoire
	"HR": "7!n10!n",             // Croatia
	"CY": "3!n5!n16!c",          // Cyprus
	"CZ": "4!n6!n10!n",          // Czech Republic
	"DK": "4!n9!n1!n",           // Denmark
	"FO": "4!n9!n1!n",           // Faroe Islands
	"GL": "4!n9!n1!n",           // Greenland
	"DJ": "5!n5!n11!n2!n",       // Djibouti
	"DO": "4!c20!n",             // Dominican Republic
	"EG": "4!n4!n17!n",          // Egypt
	"SV": "4!a20!n",             // El Salvador
	"GQ": "5!n5!n11!n2!n",       // Equitorial Guinea
	"EE": "2!n2!n11!n1!n",       // Estonia
	"FI": "6!n7!n1!n",           // Finland
	"AX": "6!n7!n1!n",           // Åland Islands
	"FR": "5!n5!n11!c2!n",       // France
	"GF": "5!n5!n11!c2!n",       // French Guiana
	"PF": "5!n5!n11!c2!n",       // French Polynesia
	"TF": "5!n5!n11!c2!n",       // French Southern Territories
	"GP": "5!n5!n11!c2!n",       // Guadelope
	"MQ": "5!n5!n11!c2!n",       // Martinique
	"YT": "5!n5!n11!c2!n",       // Mayotte
	"NC": "5!n5!n11!c2!n",       // New Caledonia
	"RE": "5!n5!n11!c2!n",       // Réunion
	"BL": "5!n5!n11!c2!n",       // Saint Barthélemy
	"MF": "5!n5!n11!c2!n",       // Saint Martin (French Part)
	"PM": "5!n5!n11!c2!n",       // Saint-Pierre and Miquelon
	"WF": "5!n5!n11!c2!n",       // Wallis and Futuna
	"GA": "5!n5!n11!n2!n",       // Gabon
	"GE": "2!a16!n",             // Georgia
	"DE": "8!n10!n",             // Germany
	"GI": "4!a15!c",             // Gibraltar
	"GR": "3!n4!n16!c",          // Greece
	"GT": "4!c20!c",             // Guatemala
	"GW": "2!c2!n4!n11!n2!n",    // Guinea-Bissau
	"HN": "4!a20!n",             // Honduras
	"HU": "3!n4!n1!n15!n1!n",    // Hungary
	"IS": "4!n2!n6!n10!n",       // Iceland
	"IR": "22!n",                // Iran
	"IQ": "4!a3!n12!n",          // Iraq
	"IE": "4!a6!n8!n",           // Ireland
	"IL": "3!n3!n13!n",          // Israel
	"IT": "1!a5!n5!n12!c",       // Italy
	"JO": "4!a4!n18!c",          // Jordan
	"KZ": "3!n13!c",             // Kazakhstan
	"XK": "4!n10!n2!n",          // Kosovo
	"KW": "4!a22!c",             // Kuwait
	"LV": "4!a13!c",             // Latvia
	"LB": "4!n20!c",             // Lebanon
	"LI": "5!n12!c",             // Liechtenstein
	"LT": "5!n11!n",             // Lithuania
	"LU": "3!n13!c",             // Luxembourg
	"MK": "3!n10!c2!n",          // Macedonia
	"MG": "23!n",                // Madagascar
	"ML": "1!a23!n",             // Mali
	"MT": "4!a5!n18!c",          // Malta
	"MR": "5!n5!n11!n2!n",       // Mauritania
	"MU": "4!a2!n2!n12!n3!n3!a", // Mauritius
	"MD": "2!c18!c",             // Moldova
	"MC": "5!n5!n11!c2!n",       // Monaco
	"ME": "3!n13!n2!n",          // Montenegro
	"MA": "3!n5!n14!n2!n",       // Morocco
	"MZ": "21!n",                // Mozambique
	"NL": "4!a10!n",             // Netherlands
	"NI": "4!a24!n",             // Nicaragua
	"NE": "2!a3!n5!n12!n2!n",    // Niger
	"NO": "4!n6!n1!n",           // Norway
	"PK": "4!a16!c",             // Pakistan
	"PS": "4!a21!c",             // Palestine
	"PL": "8!n16!n",             // Poland
	"PT": "4!n4!n11!n2!n",       // Portugal
	"QA": "4!a4!n17!c",          // Qatar
	"RO": "4!a16!c",             // Romania
	"LC": "4!a24!c",             // Saint Lucia
	"SM": "1!a5!n5!n12!c",       // San Marino
	"ST": "8!n11!n2!n",          // São Tomé and Príncipe
	"SA": "2!n18!c",             // Saudi Arabia
	"SN": "1!a23!n",             // Senegal
	"RS": "3!n13!n2!n",          // Serbia
	"SC": "4!a2!n2!n16!n3!a",    // Seychelles
	"SK": "4!n6!n10!n",          // Slovakia
	"SI": "5!n8!n2!n",           // Slovenia
	"ES": "4!n4!n1!n1!n10!n",    // Spain
	"SE": "3!n16!n1!n",          // Sweden
	"CH": "5!n12!c",             // Switzerland
	"TL": "3!n14!n2!n",          // Timor-Leste
	"TG": "2!a3!n5!n12!n2!n",    // Togo
	"TN": "2!n3!n13!n2!n",       // Tunisia
	"TR": "5!n1!n16!c",          // Turkey
	"UA": "6!n19!c",             // Ukraine
	"AE": "3!n16!n",             // United Arab Emirates
	"GB": "4!a6!n8!n",           // United Kingdom
}
