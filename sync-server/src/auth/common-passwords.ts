/**
 * Passwords too common to allow: about 1572 of the most used passwords, written out from the
 * patterns of the well-known public breach lists (top-N lists, keyboard walks, names, teams,
 * words with digits), lower-cased, separated by whitespace. Offensive entries are left out.
 * The policy in `password-policy.ts` also strips digits and symbols around a password and undoes
 * common character swaps (p@ssw0rd) before looking it up here, so `password2024!` is caught by
 * `password`. Kept as a module (not a data file) so that the built server needs no asset copy.
 */
export const COMMON_PASSWORDS = `
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123
football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael
654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer zxcvbnm
asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou charlie robert thomas
hockey ranger daniel starwars klaster 112233 george computer michelle jessica pepper 1111 zxcvbn
555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess joshua cheese amanda
summer love ashley nicole chelsea matthew access yankees 987654321 dallas austin thunder taylor
matrix william corvette hello martin heather secret merlin diamond 1234qwer gfhjkm hammer silver
222222 88888888 anthony justin test bailey q1w2e3r4t5 patrick internet scooter orange 11111 golfer
cookie richard samantha bigdog guitar jackson whatever mickey chicken sparky snoopy maverick phoenix
camaro peanut morgan welcome falcon cowboy ferrari samsung andrea smokey steelers joseph mercedes
dakota arsenal eagles melissa boomer booboo spider nascar monster tigers yellow xxxxxx 123123123
gateway marina diablo bulldog qwer1234 compaq purple banana junior hannah 123654 porsche lakers
iceman money cowboys 987654 london tennis 999999 ncc1701 coffee scooby 0000 miller boston q1w2e3r4
brandon yamaha chester mother forever johnny edward 333333 oliver redsox player nikita knight fender
barney midnight please brandy chicago badboy slayer rangers charles angel flower bigdaddy rabbit
wizard jasper enter rachel chris steven winner adidas victoria natasha 1q2w3e4r jasmine winter
prince marine ghbdtn fishing cocacola casper james 232323 raiders 888888 marlboro gandalf asdfasdf
crystal 87654321 12344321 golden 8675309 panther lauren angela thx1138 angels madison winston
shannon mike toyota jordan23 canada sophie apples tiger razz 123abc pokemon qazxsw 55555 qwaszx
muffin johnson murphy cooper jonathan liverpoo david danielle 159357 jackie 1990 123456a 789456
turtle abcd1234 scorpion qazwsxedc 101010 butter carlos password1 dennis slipknot qwerty123 booger
asdf 1991 black startrek 12341234 cameron newyork rainbow nathan john 1992 rocket viking redskins
asdfghjkl 1212 sierra peaches gemini doctor wilson sandra helpme qwertyui victor florida dolphin
pookie captain tucker blue liverpool theman bandit dolphins maddog packers jaguar lovers nicholas
united tiffany maxwell zzzzzz nirvana jeremy monica elephant giants jackass hotdog rosebud success
debbie mountain 444444 xxxxxxxx warrior 1q2w3e4r5t q1w2e3 123456q albert metallic lucky azerty 7777
alex bond007 alexis 1111111 samson 5150 willie scorpio bonnie gators benjamin voodoo driver dexter
2112 jason calvin freddy 212121 creative 12345a sydney rush2112 1989 asdfghjk red123 bubba
4815162342 passw0rd trouble gunner happy gordon legend jessie stella qwert eminem arthur apple
nissan bear america 1qazxsw2 nothing parker 4444 rebecca qweqwe garfield 01012011 beavis 69696969
jack asdasd december 2222 102030 252525 11223344 magic apollo skippy 315475 girls kitten golf copper
braves shelby godzilla beaver fred tomcat august buddy airborne 1993 1988 lifehack qqqqqq brooklyn
animal platinum phantom online xavier darkness blink182 power fish green 789456123 voyager police
travis 12qwaszx heaven snowball lover abcdef 00000 pakistan 007007 walter playboy blazer cricket
sniper donkey willow loveme saturn therock redwings bigboy pumpkin trinity williams nintendo digital
destiny topgun runner marvin guinness chance bubbles testing fire november minecraft asdf1234
lasvegas sergey broncos cartman private celtic birdie little cassie babygirl donald beatles 1313
family 12121212 school louise gabriel eclipse fluffy 147258369 lol123 explorer beer nelson flyers
spencer scott lovely gibson doggie cherry andrey snickers buffalo pantera metallica member carter
qwertyu peter alexande steve bronco paradise goober 5555 samuel montana mexico dreams michigan
carolina friends magnum surfer maximus genius cool vampire lacrosse asd123 aaaa christin kimberly
speedy sharon carmen 111222 kristina sammy racing ou812 sabrina horses 0987654321 qwerty1 baby
stalker enigma 147147 star poohbear 147258 simple 12345q marcus brian 1987 qweasdzxc drowssap hahaha
caroline barbara dave viper drummer action einstein genesis hello1 scotty friend forest 010203
hotrod google vanessa spitfire badger maryjane friday alaska 1232323q tester jester jake champion
billy 147852 rock hawaii chevy 420420 walker stephen eagle1 bill 1986 october gregory svetlana
pamela 1984 music shorty westside stanley diesel courtney 242424 kevin hitman mark 12345qwert reddog
frank qwe123 popcorn patricia aaaaaaaa 1969 teresa mozart buddha anderson paul melanie abcdefg
security lucky1 lizard denise 3333 a12345 123789 ruslan stargate simpsons scarface eagle 123456789a
thumper olivia naruto 1234554321 general cherokee a123456 vincent spooky qweasd free frankie douglas
death 1980 loveyou kitty kelly veronica suzuki semperfi penguin mercury liberty spirit scotland
natalie marley vikings system king allison marshall 1979 098765 qwerty12 hummer adrian 1985 vfhbyf
sandman rocky leslie antonio 98765432 4321 softball passion mnbvcxz passport rascal howard franklin
bigred alexander homer redrum jupiter claudia 55555555 141414 zaq12wsx patches raider infinity andre
54321 galore college russia kawasaki bishop 77777777 vladimir money1 freeuser wildcats francis
disney budlight brittany 1994 00000000 sweet oksana honda domino bulldogs brutus swordfis norman
monday jimmy ironman ford fantasy 9999 7654321 duncan cougar 1977 jeffrey house dancer brooke
timothy super marines justice digger connor patriots karina 202020 molly everton tinker alicia
rasdzv3 poop pearljam stinky naughty colorado 123123a water test123 ncc1701d motorola ireland asdfg
matt houston boogie zombie accord vision bradley reggie kermit froggy ducati avalon 6666 9379992
sarah saints logitech chopper 852456 simpson madonna juventus claire 159951 zachary yfnfif wolverin
warcraft hello123 extreme peekaboo fireman eugene brenda 123654789 russell panthers georgia smith
skyline jesus elizabet spiderma smooth pirate empire bullet 8888 virginia valentin psycho predator
arizona 134679 mitchell alyssa vegeta titanic christ goblue fylhtq wolf mmmmmm kirill indian hiphop
baxter awesome people danger roland mookie 741852963 1111111111 dreamer bambam arnold 1981 skipper
serega rolltide elvis changeme simon 1q2w3e lovelove fktrcfylh denver tommy mine loverboy hobbes
happy1 alison nemesis chevelle cardinal burton picard 151515 tweety michael1 147852369 12312 xxxx
windows turkey 456789 1974 vfrcbv sublime 1975 galina bobby newport manutd daddy american alexandr
1966 victory rooster qqq111 madmax electric a1b2c3 wolfpack spring phpbb lalala spiderman eric
darkside classic raptor 123456789q hendrix 1982 wombat avatar alpha zxc123 crazy hard england brazil
1978 01011980 wildcat polina freepass password12 password123 password1234 password12345
password123456 passwordpassword password! password1! password123! p@ssword p@ssw0rd p@ssw0rd123
passw0rd123 pa55word pa55w0rd mypassword mypassword1 mypassword123 newpassword oldpassword
nopassword secretpassword defaultpassword temppassword thisismypassword changeme123 changemenow
temporary temp1234 letmein1 letmein123 letmeinplease pleaseletmein opensesame masterkey
masterpassword administrator admin admin123 admin1234 admin12345 administrator1 root toor rootroot
guest guest123 user user1234 login login123 welcome1 welcome123 welcome1234 welcometoplaza iloveyou1
iloveyou12 iloveyou123 iloveyou1234 iloveyou2 iloveyou! iloveu ilovemymom ilovemydad ilovemyself
ilovemylife ilovegod ilovejesus jesuschrist jesusislord jesuslovesme blessed blessed123 godisgood
qwerty12345 qwerty123456 qwerty1234567 qwertyuiop123 qwertyuiop1 qwertyuiopasdfghjkl
qwertyuiopasdfghjklzxcvbnm qwertyqwerty 123456qwerty 1234567890qwerty qwerty1234 qwertz qwertzuiop
azertyuiop asdfghjkl123 asdfghjkl1 zxcvbnm123 zxcvbnm1 qazwsxedcrfv qazwsxedcrfvtgb 1qaz2wsx3edc
1qaz2wsx3edc4rfv zaq1zaq1 zaq12wsxcde3 1qazxsw23edc 1qaz!qaz 1qaz@wsx !qaz2wsx !qaz1qaz q1w2e3r4t5y6
q1w2e3r4t5y6u7 1q2w3e4r5t6y 1q2w3e4r5t6y7u 1q2w3e4r5t6y7u8i 1q2w3e4r5t6y7u8i9o0p qweasdzxc123
qwe123qwe qwe123456 asd123456 zxc123456 abc123456 abc1234567 abcd123456 abcde12345 abcdef123
abcdefgh abcdefghi abcdefghij abcdefghijk abcdefghijklmnopqrstuvwxyz abcabcabc abcabc123 a1b2c3d4
a1b2c3d4e5 a1s2d3f4 aa123456 aaaaaaaaaa aaaaaaaaa 0123456789 01234567890 12345678910 1234567891
12345678900 123456789012 1234567890123 9876543210 987654321a 0987654321a 11111111111 1111111111a
0000000000 00000000000 2222222222 1212121212 1231231234 123123123123 1234512345 1122334455
11223344556677 1020304050 10203040 102030405060 1357924680 2468135790 13579 135792468 246810
147258369a 159753456 159357456 5201314 woaini woaini1314 iloveyou1314 zhang123 wang1234 aini1314
1314520 8888888888 6666666666 9999999999 7777777777 5555555555 3333333333 4444444444 123qweasd
123qweasdzxc 123qwe123 1qa2ws3ed qwaszx12 football1 football123 baseball1 baseball123 basketball
basketball1 soccer123 hockey123 princess1 princess123 sunshine1 sunshine123 superman1 superman123
batman123 batman1234 starwars1 starwars123 trustno1234 michael123 jennifer1 jennifer123 jordan123
charlie123 monkey123 dragon123 shadow123 master123 killer123 computer1 computer123 internet123
whatever1 whatever123 freedom1 freedom123 tigger123 summer123 winter123 spring123 autumn123
pokemon123 minecraft1 minecraft123 fortnite fortnite123 roblox123 youtube youtube123 facebook
facebook123 instagram twitter linkedin myspace myspace1 gmail yahoo hotmail outlook microsoft
windows10 apple123 iphone iphone123 android samsung123 google123 amazon netflix spotify playstation
xbox360 nintendo64 pokemongo chess chess123 chessmaster checkmate checkmate1 grandmaster kingpawn
queengambit queensgambit knightrider plaza plazaplaza plaza123 plaza12345 plazapassword market
markets shopping shopping123 bitcoin bitcoin123 ethereum crypto money123 moneymoney makemoney
richman lottery jackpot casino poker pokerface blackjack millionaire billionaire success1 winner123
champion1 superstar rockstar popstar superhero spiderman1 ironman1 wolverine hulk thor
captainamerica avengers marvel deadpool harrypotter hogwarts hermione gryffindor voldemort frodo
gandalf123 lordoftherings skywalker darthvader jedi yoda chewbacca startrek1 enterprise spock
picard1 matrix123 neo terminator rambo rocky123 titanic1 godfather scarface1 pulpfiction simpsons1
homersimpson bartsimpson southpark familyguy spongebob patrickstar mickeymouse donaldduck tinkerbell
cinderella snowwhite hellokitty pikachu charizard naruto123 sasuke goku dragonball dragonballz
onepiece zelda mario supermario luigi sonic metallica1 nirvana1 ledzeppelin pinkfloyd thebeatles
beatles1 elvispresley eminem1 tupac 2pac linkinpark greenday acdc slipknot1 iloveyou4ever loveyou123
lovelove123 mylove myangel mybaby babygirl1 babyboy sweetheart sweetie honey honeybunny sugar cutie
cutiepie princesa teamo tequiero jetaime ichliebedich tiamo letmein! trustme trustno1! believe
imagine dreamer1 forever1 together always nevermind nothing1 anything everything something someone
nobody whoami hello12345 helloworld hello1234 hellohello goodbye goodluck goodmorning goodnight
happyday happydays happybirthday birthday christmas merrychristmas halloween valentine newyear
january february march april may june july september sunday tuesday wednesday thursday saturday
weekend holiday vacation beach ocean sunset moonlight starlight rainbow1 butterfly flowers rose lily
daisy tulip orchid jasmine1 cherry1 strawberry blueberry raspberry watermelon pineapple coconut
mango lemon chocolate vanilla caramel cupcake cookies pancake pizza pizza123 hamburger cheeseburger
hotdog1 bacon sausage spaghetti chicken1 turkey1 tacos burrito sushi coffee123 starbucks cocacola1
pepsi redbull beer123 whiskey vodka tequila margarita wine champagne purple1 orange1 yellow1 green1
blue123 red12345 black123 white silver1 golden1 diamond1 crystal1 emerald ruby sapphire pearl
platinum1 titanium mercury1 venus earth mars jupiter1 saturn1 neptune pluto galaxy universe cosmos
spaceman astronaut rocket1 airplane pilot helicopter motorcycle harleydavidson ducati1 kawasaki1
yamaha1 honda123 toyota123 nissan1 mazda subaru volkswagen porsche911 ferrari1 lamborghini bugatti
mustang1 camaro1 corvette1 cadillac chevrolet chevy123 dodge ramtough jeep landrover bmw123
mercedes1 audi volvo tesla teslamodel3 truck tractor farmer cowboy1 horse pony unicorn dragon1
dragonfly phoenix1 tiger123 lion lionking panther1 leopard cheetah jaguar1 wolf123 wolfpack1 fox
bear123 teddybear panda koala kangaroo monkey1 gorilla elephant1 giraffe zebra hippo rhino dolphin1
shark whale octopus penguin1 eagle123 falcon1 hawk owl parrot chicken123 duck rabbit1 bunny hamster
puppy puppylove doggy kitty123 kittycat catdog mydog mycat dogs cats snake turtle1 frog spider1
scorpion1 ladybug bumblebee honeybee
`;
