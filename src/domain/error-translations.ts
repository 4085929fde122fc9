/**
 * The error catalogue in the other languages SuperOffice ships (decisions.md "Accept-Language / SO-Language"):
 * Swedish, Danish, German, Dutch, French and Finnish; English and Norwegian stay beside each entry in errors.ts.
 * hookd's own translations. A code missing here falls back to English at run time, and
 * src/domain/error-translations.test.ts fails, so a new code cannot ship untranslated unnoticed. Parameters that
 * carry hookd's own English detail (a rule, an action) are inserted as they are. NetServer's own texts
 * (`target_not_secure`) are not translated: NetServer sends them in English whatever the language.
 */
import type { ErrorCode, Params, Sentence } from './error-catalogue.js';
import type { ExtraLanguage } from './languages.js';

const query = (p: Params) => p.where === 'query string';
const netServer: Sentence = (p) => `Webhook TargetUrl must be secure: 'HTTPS:' not found in ${p.url}`;

/** Partial on purpose: a code another change adds compiles before it is translated; the test names it. */
export const TRANSLATIONS: { [C in ErrorCode]?: Record<ExtraLanguage, Sentence> } = {
  unauthorized: {
    sv: () => 'Autentisering krävs: skicka en Authorization-header med schemat Basic, Bearer eller SoTicket.',
    da: () => 'Godkendelse er påkrævet: send en Authorization-header med skemaet Basic, Bearer eller SoTicket.',
    de: () => 'Eine Anmeldung ist erforderlich: Senden Sie einen Authorization-Header mit dem Schema Basic, Bearer oder SoTicket.',
    nl: () => 'Authenticatie is vereist: stuur een Authorization-header met het schema Basic, Bearer of SoTicket.',
    fr: () => 'Une authentification est requise : envoyez un en-tête Authorization avec le schéma Basic, Bearer ou SoTicket.',
    fi: () => 'Tunnistautuminen vaaditaan: lähetä Authorization-otsake, jonka skeema on Basic, Bearer tai SoTicket.',
  },
  invalid_credentials: {
    sv: () => 'Användarnamnet, lösenordet, token eller biljetten godtogs inte.',
    da: () => 'Brugernavnet, adgangskoden, tokenet eller billetten blev ikke godkendt.',
    de: () => 'Benutzername, Passwort, Token oder Ticket wurden nicht akzeptiert.',
    nl: () => 'De gebruikersnaam, het wachtwoord, het token of het ticket is niet geaccepteerd.',
    fr: () => "Le nom d'utilisateur, le mot de passe, le jeton ou le ticket n'a pas été accepté.",
    fi: () => 'Käyttäjätunnusta, salasanaa, tunnistetta tai lippua ei hyväksytty.',
  },
  xsrf_token_invalid: {
    sv: () => 'En sessionscookie skickades utan en matchande X-XSRF-TOKEN-header: kopiera cookien XSRF-TOKEN till den headern.',
    da: () => 'En sessionscookie blev sendt uden en matchende X-XSRF-TOKEN-header: kopiér cookien XSRF-TOKEN til den header.',
    de: () => 'Ein Sitzungscookie wurde ohne passenden X-XSRF-TOKEN-Header gesendet: Kopieren Sie das Cookie XSRF-TOKEN in diesen Header.',
    nl: () => 'Er is een sessiecookie verzonden zonder bijbehorende X-XSRF-TOKEN-header: kopieer de cookie XSRF-TOKEN naar die header.',
    fr: () => 'Un cookie de session a été envoyé sans en-tête X-XSRF-TOKEN correspondant : copiez le cookie XSRF-TOKEN dans cet en-tête.',
    fi: () => 'Istuntoeväste lähetettiin ilman vastaavaa X-XSRF-TOKEN-otsaketta: kopioi XSRF-TOKEN-eväste siihen otsakkeeseen.',
  },
  forbidden: {
    sv: (p) => `Du har inte behörighet att ${p.action}.`,
    da: (p) => `Du har ikke tilladelse til at ${p.action}.`,
    de: (p) => `Sie sind nicht berechtigt: ${p.action}.`,
    nl: (p) => `U hebt geen toestemming om ${p.action}.`,
    fr: (p) => `Vous n'êtes pas autorisé à ${p.action}.`,
    fi: (p) => `Sinulla ei ole oikeutta: ${p.action}.`,
  },
  app_token_mismatch: {
    sv: (p) => `Webhook ${p.id} registrerades av ett annat program: bara den som skickar samma SO-AppToken får ändra eller ta bort den.`,
    da: (p) => `Webhook ${p.id} blev registreret af et andet program: kun den, der sender samme SO-AppToken, må ændre eller slette den.`,
    de: (p) =>
      `Webhook ${p.id} wurde von einer anderen Anwendung registriert: Nur wer dasselbe SO-AppToken sendet, darf ihn ändern oder löschen.`,
    nl: (p) =>
      `Webhook ${p.id} is door een andere toepassing geregistreerd: alleen wie hetzelfde SO-AppToken meestuurt, mag hem wijzigen of verwijderen.`,
    fr: (p) =>
      `Le webhook ${p.id} a été enregistré par une autre application : seul un appelant présentant le même SO-AppToken peut le modifier ou le supprimer.`,
    fi: (p) => `Webhookin ${p.id} rekisteröi toinen sovellus: vain samalla SO-AppTokenilla sitä voi muuttaa tai poistaa.`,
  },
  app_not_granted: {
    sv: () =>
      'Webhook-agenten är inte tillgänglig i Online som standard. Åtkomst måste begäras särskilt när appen registreras. (Administratören har inte gett det här programmet, med dess SO-AppToken, åtkomst.)',
    da: () =>
      'Webhook-agenten er ikke tilgængelig i Online som standard. Adgang skal anmodes om specifikt, når appen registreres. (Administratoren har ikke givet dette program, med dets SO-AppToken, adgang.)',
    de: () =>
      'Der Webhook-Agent ist in Online standardmäßig nicht verfügbar. Der Zugriff muss bei der Registrierung der App ausdrücklich beantragt werden. (Der Administrator hat dieser Anwendung mit ihrem SO-AppToken keinen Zugriff gewährt.)',
    nl: () =>
      'De Webhook-agent is in Online standaard niet beschikbaar. Toegang moet specifiek worden aangevraagd bij het registreren van de app. (De beheerder heeft deze toepassing, met haar SO-AppToken, geen toegang gegeven.)',
    fr: () =>
      "L'agent Webhook n'est pas disponible par défaut dans Online. L'accès doit être demandé spécifiquement lors de l'enregistrement de l'application. (L'administrateur n'a pas accordé l'accès à cette application, identifiée par son SO-AppToken.)",
    fi: () =>
      'Webhook-agentti ei ole oletuksena käytettävissä Onlinessa. Käyttöoikeutta on pyydettävä erikseen sovellusta rekisteröitäessä. (Järjestelmänvalvoja ei ole antanut tälle sovellukselle, sen SO-AppTokenin perusteella, käyttöoikeutta.)',
  },
  not_found: {
    sv: (p) => `${p.entity} med id ${p.id} hittades inte`,
    da: (p) => `${p.entity} med id ${p.id} blev ikke fundet`,
    de: (p) => `${p.entity} mit der ID ${p.id} wurde nicht gefunden`,
    nl: (p) => `${p.entity} met id ${p.id} niet gevonden`,
    fr: (p) => `${p.entity} d'identifiant ${p.id} introuvable`,
    fi: (p) => `${p.entity}, jonka tunnus on ${p.id}, ei löytynyt`,
  },
  route_not_found: {
    sv: (p) => `Det finns ingen route ${p.method} ${p.url}.`,
    da: (p) => `Der findes ingen rute ${p.method} ${p.url}.`,
    de: (p) => `Es gibt keine Route ${p.method} ${p.url}.`,
    nl: (p) => `Er is geen route ${p.method} ${p.url}.`,
    fr: (p) => `Il n'existe pas de route ${p.method} ${p.url}.`,
    fi: (p) => `Reittiä ${p.method} ${p.url} ei ole.`,
  },
  tenant_not_found: {
    sv: (p) => `Det finns ingen kund med namnet '${p.tenant}'.`,
    da: (p) => `Der findes ingen kunde med navnet '${p.tenant}'.`,
    de: (p) => `Es gibt keinen Mandanten namens '${p.tenant}'.`,
    nl: (p) => `Er is geen tenant met de naam '${p.tenant}'.`,
    fr: (p) => `Aucun locataire ne s'appelle '${p.tenant}'.`,
    fi: (p) => `Asiakasta nimeltä '${p.tenant}' ei ole.`,
  },
  tenant_exists: {
    sv: (p) => `En kund med namnet '${p.tenant}' finns redan.`,
    da: (p) => `En kunde med navnet '${p.tenant}' findes allerede.`,
    de: (p) => `Ein Mandant namens '${p.tenant}' existiert bereits.`,
    nl: (p) => `Er bestaat al een tenant met de naam '${p.tenant}'.`,
    fr: (p) => `Un locataire nommé '${p.tenant}' existe déjà.`,
    fi: (p) => `Asiakas nimeltä '${p.tenant}' on jo olemassa.`,
  },
  user_exists: {
    sv: (p) => `En användare med namnet '${p.userName}' finns redan hos den här kunden.`,
    da: (p) => `En bruger med navnet '${p.userName}' findes allerede hos denne kunde.`,
    de: (p) => `Ein Benutzer namens '${p.userName}' existiert in diesem Mandanten bereits.`,
    nl: (p) => `Er bestaat al een gebruiker met de naam '${p.userName}' bij deze tenant.`,
    fr: (p) => `Un utilisateur nommé '${p.userName}' existe déjà chez ce locataire.`,
    fi: (p) => `Käyttäjä nimeltä '${p.userName}' on jo tällä asiakkaalla.`,
  },
  body_missing: {
    sv: () => 'Entiteten som ska sparas saknas i förfrågan.',
    da: () => 'Entiteten, der skal gemmes, mangler i forespørgslen.',
    de: () => 'Die zu speichernde Entität fehlt im Anfragetext.',
    nl: () => 'De op te slaan entiteit ontbreekt in de aanvraag.',
    fr: () => "L'entité à enregistrer ne figure pas dans le corps de la requête.",
    fi: () => 'Tallennettava entiteetti puuttuu pyynnön rungosta.',
  },
  body_malformed: {
    sv: (p) => `Förfrågan är inte giltig ${p.format}: ${p.detail}`,
    da: (p) => `Forespørgslen er ikke gyldig ${p.format}: ${p.detail}`,
    de: (p) => `Der Anfragetext ist kein gültiges ${p.format}: ${p.detail}`,
    nl: (p) => `De aanvraag is geen geldige ${p.format}: ${p.detail}`,
    fr: (p) => `Le corps de la requête n'est pas du ${p.format} valide : ${p.detail}`,
    fi: (p) => `Pyynnön runko ei ole kelvollista ${p.format}-muotoa: ${p.detail}`,
  },
  input_forbidden_key: {
    sv: (p) =>
      `${query(p) ? 'Frågesträngen' : 'Förfrågan'} använder namnet '${p.key}' (vid ${p.path}): __proto__, constructor och prototype godtas inte som namn.`,
    da: (p) =>
      `${query(p) ? 'Forespørgselsstrengen' : 'Forespørgslen'} bruger navnet '${p.key}' (ved ${p.path}): __proto__, constructor og prototype accepteres ikke som navne.`,
    de: (p) =>
      `${query(p) ? 'Die Abfragezeichenfolge' : 'Der Anfragetext'} verwendet den Namen '${p.key}' (bei ${p.path}): __proto__, constructor und prototype werden als Namen nicht akzeptiert.`,
    nl: (p) =>
      `${query(p) ? 'De querystring' : 'De aanvraag'} gebruikt de naam '${p.key}' (bij ${p.path}): __proto__, constructor en prototype worden niet als naam geaccepteerd.`,
    fr: (p) =>
      `${query(p) ? 'La chaîne de requête' : 'Le corps de la requête'} utilise le nom '${p.key}' (à ${p.path}) : __proto__, constructor et prototype ne sont pas acceptés comme noms.`,
    fi: (p) =>
      `${query(p) ? 'Kyselymerkkijono' : 'Pyynnön runko'} käyttää nimeä '${p.key}' (kohdassa ${p.path}): __proto__, constructor ja prototype eivät kelpaa nimiksi.`,
  },
  body_too_deep: {
    sv: (p) => `Förfrågan är nästlad djupare än ${p.max} nivåer (vid ${p.path}).`,
    da: (p) => `Forespørgslen er indlejret dybere end ${p.max} niveauer (ved ${p.path}).`,
    de: (p) => `Der Anfragetext ist tiefer als ${p.max} Ebenen verschachtelt (bei ${p.path}).`,
    nl: (p) => `De aanvraag is dieper genest dan ${p.max} niveaus (bij ${p.path}).`,
    fr: (p) => `Le corps de la requête est imbriqué sur plus de ${p.max} niveaux (à ${p.path}).`,
    fi: (p) => `Pyynnön runko on sisäkkäin syvemmälle kuin ${p.max} tasoa (kohdassa ${p.path}).`,
  },
  body_too_large: {
    sv: (p) => `Förfrågan är större än gränsen på ${p.limit} byte.`,
    da: (p) => `Forespørgslen er større end grænsen på ${p.limit} byte.`,
    de: (p) => `Der Anfragetext überschreitet die Grenze von ${p.limit} Byte.`,
    nl: (p) => `De aanvraag is groter dan de limiet van ${p.limit} bytes.`,
    fr: (p) => `Le corps de la requête dépasse la limite de ${p.limit} octets.`,
    fi: (p) => `Pyynnön runko on suurempi kuin ${p.limit} tavun raja.`,
  },
  unsupported_media_type: {
    sv: (p) => `Content-Type '${p.type}' stöds inte här; använd ${p.supported}.`,
    da: (p) => `Content-Type '${p.type}' understøttes ikke her; brug ${p.supported}.`,
    de: (p) => `Content-Type '${p.type}' wird hier nicht unterstützt; verwenden Sie ${p.supported}.`,
    nl: (p) => `Content-Type '${p.type}' wordt hier niet ondersteund; gebruik ${p.supported}.`,
    fr: (p) => `Le Content-Type '${p.type}' n'est pas pris en charge ici ; utilisez ${p.supported}.`,
    fi: (p) => `Content-Type '${p.type}' ei ole tuettu tässä; käytä muotoa ${p.supported}.`,
  },
  not_acceptable: {
    sv: (p) => `Ingen av typerna i Accept ('${p.accept}') kan levereras; använd application/json eller application/xml.`,
    da: (p) => `Ingen af typerne i Accept ('${p.accept}') kan leveres; brug application/json eller application/xml.`,
    de: (p) => `Keiner der Typen in Accept ('${p.accept}') kann geliefert werden; verwenden Sie application/json oder application/xml.`,
    nl: (p) => `Geen van de typen in Accept ('${p.accept}') kan worden geleverd; gebruik application/json of application/xml.`,
    fr: (p) => `Aucun des types de Accept ('${p.accept}') ne peut être produit ; utilisez application/json ou application/xml.`,
    fi: (p) => `Mitään Accept-otsakkeen tyypeistä ('${p.accept}') ei voida tuottaa; käytä application/json tai application/xml.`,
  },
  invalid_field: {
    sv: (p) => `${p.property}: ${p.rule}`,
    da: (p) => `${p.property}: ${p.rule}`,
    de: (p) => `${p.property}: ${p.rule}`,
    nl: (p) => `${p.property}: ${p.rule}`,
    fr: (p) => `${p.property} : ${p.rule}`,
    fi: (p) => `${p.property}: ${p.rule}`,
  },
  invalid_parameter: {
    sv: (p) => `Parametern '${p.name}' ${p.rule}.`,
    da: (p) => `Parameteren '${p.name}' ${p.rule}.`,
    de: (p) => `Parameter '${p.name}': ${p.rule}.`,
    nl: (p) => `Parameter '${p.name}': ${p.rule}.`,
    fr: (p) => `Paramètre '${p.name}' : ${p.rule}.`,
    fi: (p) => `Parametri '${p.name}': ${p.rule}.`,
  },
  invalid_patch: {
    sv: (p) => `Patchen kan inte tillämpas: ${p.detail}`,
    da: (p) => `Patchen kan ikke anvendes: ${p.detail}`,
    de: (p) => `Der Patch kann nicht angewendet werden: ${p.detail}`,
    nl: (p) => `De patch kan niet worden toegepast: ${p.detail}`,
    fr: (p) => `Le correctif ne peut pas être appliqué : ${p.detail}`,
    fi: (p) => `Korjausta ei voi soveltaa: ${p.detail}`,
  },
  idempotency_conflict: {
    sv: (p) =>
      `Idempotency-Key '${p.key}' användes för en annan förfrågan under de senaste ${p.hours} timmarna; skicka en ny nyckel för en ny förfrågan.`,
    da: (p) =>
      `Idempotency-Key '${p.key}' blev brugt til en anden forespørgsel inden for de seneste ${p.hours} timer; send en ny nøgle til en ny forespørgsel.`,
    de: (p) =>
      `Idempotency-Key '${p.key}' wurde in den letzten ${p.hours} Stunden für eine andere Anfrage verwendet; senden Sie für eine neue Anfrage einen neuen Schlüssel.`,
    nl: (p) =>
      `Idempotency-Key '${p.key}' is in de afgelopen ${p.hours} uur voor een andere aanvraag gebruikt; stuur een nieuwe sleutel voor een nieuwe aanvraag.`,
    fr: (p) =>
      `L'Idempotency-Key '${p.key}' a servi à une autre requête au cours des ${p.hours} dernières heures ; envoyez une nouvelle clé pour une nouvelle requête.`,
    fi: (p) =>
      `Idempotency-Key '${p.key}' on käytetty toiseen pyyntöön viimeisten ${p.hours} tunnin aikana; lähetä uuteen pyyntöön uusi avain.`,
  },
  no_rotation: {
    sv: (p) =>
      `Webhook ${p.id} har ingen pågående rotation av hemligheten: rotera hemligheten först (POST /api/v1/Webhook/${p.id}/Secret/Rotate).`,
    da: (p) =>
      `Webhook ${p.id} har ingen igangværende rotation af hemmeligheden: rotér hemmeligheden først (POST /api/v1/Webhook/${p.id}/Secret/Rotate).`,
    de: (p) =>
      `Webhook ${p.id} hat keine laufende Rotation des Geheimnisses: Rotieren Sie das Geheimnis zuerst (POST /api/v1/Webhook/${p.id}/Secret/Rotate).`,
    nl: (p) =>
      `Webhook ${p.id} heeft geen lopende rotatie van het geheim: roteer eerst het geheim (POST /api/v1/Webhook/${p.id}/Secret/Rotate).`,
    fr: (p) =>
      `Le webhook ${p.id} n'a pas de rotation de secret en cours : faites d'abord tourner le secret (POST /api/v1/Webhook/${p.id}/Secret/Rotate).`,
    fi: (p) =>
      `Webhookilla ${p.id} ei ole käynnissä olevaa salaisuuden vaihtoa: vaihda salaisuus ensin (POST /api/v1/Webhook/${p.id}/Secret/Rotate).`,
  },
  patch_test_failed: {
    sv: (p) => `Patchens test-operation på '${p.path}' misslyckades: värdet skiljer sig.`,
    da: (p) => `Patchens test-operation på '${p.path}' mislykkedes: værdien er en anden.`,
    de: (p) => `Die test-Operation des Patches auf '${p.path}' ist fehlgeschlagen: Der Wert weicht ab.`,
    nl: (p) => `De test-bewerking van de patch op '${p.path}' is mislukt: de waarde wijkt af.`,
    fr: (p) => `L'opération test du correctif sur '${p.path}' a échoué : la valeur diffère.`,
    fi: (p) => `Korjauksen test-operaatio kohteessa '${p.path}' epäonnistui: arvo on eri.`,
  },
  precondition_failed: {
    sv: (p) => `${p.entity} ${p.id} har ändrats sedan ${p.since}.`,
    da: (p) => `${p.entity} ${p.id} er ændret siden ${p.since}.`,
    de: (p) => `${p.entity} ${p.id} wurde seit ${p.since} geändert.`,
    nl: (p) => `${p.entity} ${p.id} is gewijzigd sinds ${p.since}.`,
    fr: (p) => `${p.entity} ${p.id} a été modifié depuis ${p.since}.`,
    fi: (p) => `${p.entity} ${p.id} on muuttunut ajankohdan ${p.since} jälkeen.`,
  },
  target_not_secure: { sv: netServer, da: netServer, de: netServer, nl: netServer, fr: netServer, fi: netServer },
  target_test_failed: {
    sv: (p) => `TargetUrl svarade inte på testhändelsen med status 2xx, så webhooken sparades inte. Målet svarade: ${p.answer}`,
    da: (p) => `TargetUrl svarede ikke på testhændelsen med status 2xx, så webhooken blev ikke gemt. Målet svarede: ${p.answer}`,
    de: (p) =>
      `TargetUrl hat das Testereignis nicht mit einem 2xx-Status beantwortet, daher wurde der Webhook nicht gespeichert. Das Ziel antwortete: ${p.answer}`,
    nl: (p) =>
      `TargetUrl heeft de testgebeurtenis niet met een 2xx-status beantwoord, dus de webhook is niet opgeslagen. Het doel antwoordde: ${p.answer}`,
    fr: (p) =>
      `TargetUrl n'a pas répondu à l'événement de test par un statut 2xx : le webhook n'a pas été enregistré. La cible a répondu : ${p.answer}`,
    fi: (p) => `TargetUrl ei vastannut testitapahtumaan 2xx-tilalla, joten webhookia ei tallennettu. Kohde vastasi: ${p.answer}`,
  },
  target_not_allowed: {
    sv: (p) => `TargetUrl ${p.reason} (sätt HOOKD_ALLOW_PRIVATE_TARGETS=1 för att tillåta det under utveckling).`,
    da: (p) => `TargetUrl ${p.reason} (sæt HOOKD_ALLOW_PRIVATE_TARGETS=1 for at tillade det under udvikling).`,
    de: (p) => `TargetUrl ${p.reason} (setzen Sie HOOKD_ALLOW_PRIVATE_TARGETS=1, um es in der Entwicklung zu erlauben).`,
    nl: (p) => `TargetUrl ${p.reason} (zet HOOKD_ALLOW_PRIVATE_TARGETS=1 om het tijdens ontwikkeling toe te staan).`,
    fr: (p) => `TargetUrl ${p.reason} (définissez HOOKD_ALLOW_PRIVATE_TARGETS=1 pour l'autoriser en développement).`,
    fi: (p) => `TargetUrl ${p.reason} (aseta HOOKD_ALLOW_PRIVATE_TARGETS=1 salliaksesi sen kehityskäytössä).`,
  },
  delivery_not_found: {
    sv: (p) => `Leverans ${p.id} för webhook ${p.webhookId} hittades inte`,
    da: (p) => `Levering ${p.id} for webhook ${p.webhookId} blev ikke fundet`,
    de: (p) => `Zustellung ${p.id} von Webhook ${p.webhookId} wurde nicht gefunden`,
    nl: (p) => `Aflevering ${p.id} van webhook ${p.webhookId} niet gevonden`,
    fr: (p) => `Livraison ${p.id} du webhook ${p.webhookId} introuvable`,
    fi: (p) => `Webhookin ${p.webhookId} toimitusta ${p.id} ei löytynyt`,
  },
  rate_limited: {
    sv: (p) => `För många förfrågningar: försök igen om ${p.seconds} sekunder.`,
    da: (p) => `For mange forespørgsler: prøv igen om ${p.seconds} sekunder.`,
    de: (p) => `Zu viele Anfragen: Versuchen Sie es in ${p.seconds} Sekunden erneut.`,
    nl: (p) => `Te veel aanvragen: probeer het over ${p.seconds} seconden opnieuw.`,
    fr: (p) => `Trop de requêtes : réessayez dans ${p.seconds} secondes.`,
    fi: (p) => `Liian monta pyyntöä: yritä uudelleen ${p.seconds} sekunnin kuluttua.`,
  },
  recover_jobs_limit: {
    sv: (p) =>
      `Den här kunden har ${p.open} återställningsjobb i kö eller igång, det högsta tillåtna: vänta tills ett är klart (GET /Jobs/{id}) och fråga igen.`,
    da: (p) =>
      `Denne kunde har ${p.open} gendannelsesjob i kø eller i gang, det højeste tilladte: vent, til et er færdigt (GET /Jobs/{id}), og spørg igen.`,
    de: (p) =>
      `Dieser Mandant hat ${p.open} Wiederherstellungsaufträge in der Warteschlange oder in Arbeit, das Höchste, was er haben darf: Warten Sie, bis einer fertig ist (GET /Jobs/{id}), und fragen Sie dann erneut.`,
    nl: (p) =>
      `Deze tenant heeft ${p.open} herstelopdrachten in de wachtrij of in uitvoering, het maximum: wacht tot er een klaar is (GET /Jobs/{id}) en vraag het dan opnieuw.`,
    fr: (p) =>
      `Ce locataire a ${p.open} tâches de récupération en attente ou en cours, le maximum autorisé : attendez qu'une soit terminée (GET /Jobs/{id}), puis redemandez.`,
    fi: (p) =>
      `Tällä asiakkaalla on ${p.open} palautustyötä jonossa tai käynnissä, mikä on enimmäismäärä: odota, että yksi valmistuu (GET /Jobs/{id}), ja pyydä sitten uudelleen.`,
  },
  store_unavailable: {
    sv: () => 'Databasen är inte tillgänglig just nu; ingenting sparades. Försök igen om en stund.',
    da: () => 'Databasen er ikke tilgængelig lige nu; intet blev gemt. Prøv igen om lidt.',
    de: () => 'Die Datenbank ist gerade nicht erreichbar; es wurde nichts gespeichert. Versuchen Sie es gleich noch einmal.',
    nl: () => 'De database is nu niet beschikbaar; er is niets opgeslagen. Probeer het straks opnieuw.',
    fr: () => "La base de données n'est pas disponible pour le moment ; rien n'a été enregistré. Réessayez sous peu.",
    fi: () => 'Tietokanta ei ole juuri nyt käytettävissä; mitään ei tallennettu. Yritä pian uudelleen.',
  },
  internal: {
    sv: () => 'Ett oväntat fel inträffade; det har loggats.',
    da: () => 'Der opstod en uventet fejl; den er blevet logget.',
    de: () => 'Ein unerwarteter Fehler ist aufgetreten; er wurde protokolliert.',
    nl: () => 'Er is een onverwachte fout opgetreden; deze is vastgelegd.',
    fr: () => "Une erreur inattendue s'est produite ; elle a été journalisée.",
    fi: () => 'Tapahtui odottamaton virhe; se on kirjattu lokiin.',
  },
};
