package dev.userstream.emulator;

import java.util.SplittableRandom;

/**
 * The 21 nationalities of the API with their own scripts, places and formats. Postcodes are JSON
 * numbers for some and strings for others, as the real API sends them; some have no national id
 * ({@code id.name} empty, {@code id.value} null).
 */
enum Nationality {
  AU("Australia", true, "####", "0#-####-####", "TFN", "#########",
      names("Lachlan", "Jack", "Cooper"), names("Mia", "Chloe", "Ruby"), names("Taylor", "Walker", "Kelly"),
      names("Adelaide", "Hobart", "Cairns"), names("Victoria", "Queensland", "Tasmania"), names("Dalhousie Ave", "Hillcrest Rd", "Mockingbird Ln")),
  BR("Brazil", true, "########", "(##) ####-####", "CPF", "###.###.###-##",
      names("João", "Antônio", "Otávio"), names("Luzia", "Cecília", "Anaí"), names("Araújo", "Gonçalves", "Peixoto"),
      names("São Paulo", "Belém", "Maceió"), names("Paraíba", "Goiás", "Pará"), names("Rua São Jorge", "Rua Paraná", "Rua Três")),
  CA("Canada", false, "L#L #L#", "L##-###-####", "SIN", "### ### ###",
      names("Liam", "Noah", "Félix"), names("Léa", "Chloé", "Maëlle"), names("Roy", "Gagnon", "Côté"),
      names("Québec", "Montréal", "Trois-Rivières"), names("Québec", "Ontario", "Nunavut"), names("Rue Principale", "King St", "Argyle St")),
  CH("Switzerland", true, "####", "07# ### ## ##", "AVS", "756.####.####.##",
      names("Noé", "Luca", "Jonas"), names("Léonie", "Anna", "Zoé"), names("Meier", "Müller", "Rochat"),
      names("Zürich", "Genève", "Neuchâtel"), names("Zürich", "Graubünden", "Ticino"), names("Rue du Bât-de-Ville", "Bahnhofstrasse", "Chemin Vert")),
  DE("Germany", true, "#####", "0###-#######", "SVNR", "## ###### L ###",
      names("Jürgen", "Lukas", "Björn"), names("Jördis", "Lena", "Käthe"), names("Müller", "Schäfer", "Köhler"),
      names("Düsseldorf", "Lübeck", "Würzburg"), names("Bayern", "Thüringen", "Saarland"), names("Schlossstraße", "Gartenweg", "Mühlenstraße")),
  DK("Denmark", true, "####", "########", "CPR", "######-####",
      names("Søren", "Mikkel", "Asger"), names("Signe", "Åse", "Frida"), names("Jørgensen", "Kristensen", "Mølgaard"),
      names("Århus", "København", "Aalborg"), names("Sjælland", "Nordjylland", "Syddanmark"), names("Vibevej", "Søndergade", "Fælledvej")),
  ES("Spain", true, "#####", "9##-###-###", "DNI", "########-L",
      names("Begoño", "Íñigo", "Jesús"), names("Begoña", "Nuria", "Inés"), names("Muñoz", "Peña", "Núñez"),
      names("Logroño", "Cádiz", "Córdoba"), names("Andalucía", "Galicia", "Aragón"), names("Calle de Alcalá", "Avenida del Puerto", "Calle Mayor")),
  FI("Finland", true, "#####", "0#-###-###", "HETU", "NaNNA###undefined",
      names("Eeli", "Väinö", "Onni"), names("Siiri", "Pihla", "Ronja"), names("Mäkelä", "Heinonen", "Kärkkäinen"),
      names("Jyväskylä", "Hämeenlinna", "Närpes"), names("Pirkanmaa", "Lappi", "Kainuu"), names("Hämeenkatu", "Pyynikintie", "Esplanadi")),
  FR("France", true, "#####", "0#-##-##-##-##", "INSEE", "#NNaN##########",
      names("Anaël", "Maël", "Noé"), names("Anaïs", "Maëlys", "Cléa"), names("Lefèvre", "Dupré", "Rolland"),
      names("Besançon", "Orléans", "Nîmes"), names("Hérault", "Ardèche", "Finistère"), names("Rue de l'Abbé-Migne", "Place du 8 Février 1962", "Rue Dumenge")),
  GB("United Kingdom", false, "LL# #LL", "0###-###-####", "NINO", "LL ## ## ## L",
      names("Oliver", "Harry", "Alfie"), names("Amelia", "Isla", "Freya"), names("Smith", "Robinson", "Hughes"),
      names("Leeds", "St Albans", "Wolverhampton"), names("West Yorkshire", "Cornwall", "Durham"), names("Mill Road", "Church Lane", "High Street")),
  IE("Ireland", false, "#####", "0##-###-####", "PPS", "#######L",
      names("Cian", "Oisín", "Darragh"), names("Aoife", "Saoirse", "Niamh"), names("Byrne", "Ó Briain", "Kennedy"),
      names("Galway", "Cill Chainnigh", "Sligo"), names("Connacht", "Leinster", "Munster"), names("Grafton Street", "Main Street", "Patrick Street")),
  IN("India", true, "######", "#####-#####", "UIDAI", "############",
      names("आरव", "विवान", "अर्जुन"), names("अनन्या", "दिया", "सान्वी"), names("शर्मा", "पटेल", "कुमार"),
      names("पुणे", "जयपुर", "लखनऊ"), names("महाराष्ट्र", "राजस्थान", "उत्तर प्रदेश"), names("गांधी मार्ग", "नेहरू रोड", "स्टेशन रोड")),
  IR("Iran", true, "##########", "0##-########", "", null,
      names("آرین", "محمدطاها", "سام"), names("نیایش", "یسنا", "ستایش"), names("کامروا", "رضاییان", "نجاتی"),
      names("تهران", "شیراز", "تبریز"), names("فارس", "گیلان", "خراسان رضوی"), names("میدان انقلاب", "شهید کلاهدوز", "آیت الله طالقانی")),
  MX("Mexico", true, "#####", "(6##) ### ####", "NSS", "## ## ## ####-#",
      names("Ximeno", "Andrés", "Joaquín"), names("Ximena", "Inés", "Sofía"), names("Hernández", "Ramírez", "Núñez"),
      names("Mérida", "Querétaro", "Mexicali"), names("Yucatán", "Nuevo León", "Michoacán"), names("Callejón Ramírez", "Prolongación Sur", "Avenida Juárez")),
  NL("Netherlands", false, "#### LL", "(0###) ######", "BSN", "#########",
      names("Daan", "Sem", "Lucas"), names("Sanne", "Fenna", "Noor"), names("de Vries", "van den Berg", "Bakker"),
      names("Utrecht", "Den Haag", "Zwolle"), names("Gelderland", "Friesland", "Zeeland"), names("Kerkstraat", "Dorpsstraat", "Stationsweg")),
  NO("Norway", true, "####", "########", "FN", "###########",
      names("Håkon", "Øystein", "Sverre"), names("Åse", "Ingrid", "Sigrid"), names("Bråten", "Østby", "Haugen"),
      names("Tromsø", "Bodø", "Ålesund"), names("Troms", "Nordland", "Møre og Romsdal"), names("Øvre Slottsgate", "Storgata", "Bjørnstjerne Bjørnsons gate")),
  NZ("New Zealand", true, "####", "(###)-###-####", "", null,
      names("Nikau", "Tamati", "Oliver"), names("Aroha", "Mereana", "Isla"), names("Walker", "Te Whare", "Wilson"),
      names("Tauranga", "Whangārei", "Ōtaki"), names("Bay of Plenty", "Northland", "Taranaki"), names("Cashel Street", "Te Awa Road", "Victoria Street")),
  RS("Serbia", true, "#####", "0##-####-###", "SID", "#########",
      names("Милош", "Лука", "Вук"), names("Јована", "Милица", "Ана"), names("Јовановић", "Петровић", "Ђорђевић"),
      names("Ниш", "Нови Сад", "Крагујевац"), names("Војводина", "Шумадија", "Нишава"), names("Кнеза Милоша", "Војводе Мишића", "Краља Петра")),
  TR("Turkey", true, "#####", "(###)-###-####", "", null,
      names("Çağrı", "Ömer", "Eymen"), names("Şule", "Ayşe", "Gülsüm"), names("Öztürk", "Çelik", "Şahin"),
      names("İzmir", "Şanlıurfa", "Eskişehir"), names("Ege", "Karadeniz", "Marmara"), names("Atatürk Sk", "İstiklal Cd", "Bağdat Cd")),
  UA("Ukraine", false, "#####", "(0##) ###-####", "", null,
      names("Олексій", "Богдан", "Ярослав"), names("Олена", "Ярина", "Зоряна"), names("Шевченко", "Ковальчук", "Бойко"),
      names("Львів", "Житомир", "Чернігів"), names("Львівська", "Київська", "Одеська"), names("Хрещатик", "Степана Бандери", "Соборна")),
  US("United States", false, "#####", "(###) ###-####", "SSN", "###-##-####",
      names("Jack", "Ethan", "Mason"), names("Jennie", "Ava", "Harper"), names("Nichols", "Hayes", "Ramirez"),
      names("Billings", "Tallahassee", "Fort Wayne"), names("Michigan", "Montana", "Vermont"), names("Valwood Pkwy", "Pecan Acres Ln", "Hamilton Ave"));

  final String country;
  final boolean numericPostcode;
  final String postcodePattern;
  final String phonePattern;
  final String idName;
  final String idPattern;
  final String[] maleFirst;
  final String[] femaleFirst;
  final String[] last;
  final String[] cities;
  final String[] states;
  final String[] streets;

  Nationality(String country, boolean numericPostcode, String postcodePattern, String phonePattern,
      String idName, String idPattern, String[] maleFirst, String[] femaleFirst, String[] last,
      String[] cities, String[] states, String[] streets) {
    this.country = country;
    this.numericPostcode = numericPostcode;
    this.postcodePattern = postcodePattern;
    this.phonePattern = phonePattern;
    this.idName = idName;
    this.idPattern = idPattern;
    this.maleFirst = maleFirst;
    this.femaleFirst = femaleFirst;
    this.last = last;
    this.cities = cities;
    this.states = states;
    this.streets = streets;
  }

  private static String[] names(String... names) {
    return names;
  }

  /** A pattern filled in: '#' a digit, 'L' a capital letter, anything else kept. */
  static String fill(String pattern, SplittableRandom r) {
    StringBuilder out = new StringBuilder(pattern.length());
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '#') {
        out.append((char) ('0' + r.nextInt(10)));
      } else if (c == 'L') {
        out.append((char) ('A' + r.nextInt(26)));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The nationality of a code, case-insensitively; null when the API does not know it. */
  static Nationality parse(String code) {
    for (Nationality n : values()) {
      if (n.name().equalsIgnoreCase(code.trim())) {
        return n;
      }
    }
    return null;
  }
}
